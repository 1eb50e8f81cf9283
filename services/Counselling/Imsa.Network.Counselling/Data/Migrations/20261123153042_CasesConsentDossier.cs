using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Imsa.Network.Counselling.Data.Migrations
{
    /// <inheritdoc />
    public partial class CasesConsentDossier : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "case_handovers",
                columns: table => new
                {
                    handover_id = table.Column<Guid>(type: "uuid", nullable: false),
                    case_id = table.Column<Guid>(type: "uuid", nullable: false),
                    receiver_organisation_id = table.Column<Guid>(type: "uuid", nullable: false),
                    status = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    version = table.Column<long>(type: "bigint", nullable: false),
                    decline_reason = table.Column<string>(type: "character varying(60)", maxLength: 60, nullable: true),
                    last_outcome = table.Column<string>(type: "character varying(60)", maxLength: 60, nullable: true),
                    last_outcome_on = table.Column<DateOnly>(type: "date", nullable: true),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_case_handovers", x => x.handover_id);
                });

            migrationBuilder.CreateTable(
                name: "case_keys",
                columns: table => new
                {
                    case_id = table.Column<Guid>(type: "uuid", nullable: false),
                    master_key_id = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    wrapped_key = table.Column<byte[]>(type: "bytea", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    rewrapped_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_case_keys", x => x.case_id);
                });

            migrationBuilder.CreateTable(
                name: "cases",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    owner_organisation_id = table.Column<Guid>(type: "uuid", nullable: false),
                    status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    close_reason = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    opened_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    closed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    purpose = table.Column<string>(type: "character varying(60)", maxLength: 60, nullable: false),
                    destination_state = table.Column<string>(type: "character varying(5)", maxLength: 5, nullable: true),
                    destination_district = table.Column<string>(type: "character varying(5)", maxLength: 5, nullable: true),
                    planned_arrival_month = table.Column<DateOnly>(type: "date", nullable: true),
                    identity = table.Column<byte[]>(type: "bytea", nullable: true),
                    contact = table.Column<byte[]>(type: "bytea", nullable: true),
                    migration_plan = table.Column<byte[]>(type: "bytea", nullable: true),
                    language_and_qualifications = table.Column<byte[]>(type: "bytea", nullable: true),
                    needs_and_open_tasks = table.Column<byte[]>(type: "bytea", nullable: true),
                    special_categories = table.Column<byte[]>(type: "bytea", nullable: true),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_cases", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "consents",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    case_id = table.Column<Guid>(type: "uuid", nullable: false),
                    owner_organisation_id = table.Column<Guid>(type: "uuid", nullable: false),
                    recorded_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    recorded_by_organisation_id = table.Column<Guid>(type: "uuid", nullable: false),
                    recorded_by_client_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    obtained_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    method = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    text_language = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: false),
                    text_version = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    text_sha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    purpose = table.Column<string>(type: "character varying(60)", maxLength: 60, nullable: false),
                    recipients = table.Column<List<Guid>>(type: "uuid[]", nullable: false),
                    categories = table.Column<List<string>>(type: "text[]", nullable: false),
                    explicit_special_categories = table.Column<bool>(type: "boolean", nullable: false),
                    valid_from = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    valid_until = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    withdrawal_code_hash = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_consents", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "counselling_sessions",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    case_id = table.Column<Guid>(type: "uuid", nullable: false),
                    recorded_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    content = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_counselling_sessions", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "disclosures",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    case_id = table.Column<Guid>(type: "uuid", nullable: false),
                    organisation_id = table.Column<Guid>(type: "uuid", nullable: false),
                    handover_id = table.Column<Guid>(type: "uuid", nullable: false),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    categories = table.Column<List<string>>(type: "text[]", nullable: false),
                    consent_ids = table.Column<List<Guid>>(type: "uuid[]", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_disclosures", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "consent_withdrawals",
                columns: table => new
                {
                    consent_id = table.Column<Guid>(type: "uuid", nullable: false),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    channel = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    by_organisation_id = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_consent_withdrawals", x => x.consent_id);
                    table.ForeignKey(
                        name: "FK_consent_withdrawals_consents_consent_id",
                        column: x => x.consent_id,
                        principalTable: "consents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_case_handovers_case_id",
                table: "case_handovers",
                column: "case_id");

            migrationBuilder.CreateIndex(
                name: "IX_case_handovers_receiver_organisation_id_case_id",
                table: "case_handovers",
                columns: new[] { "receiver_organisation_id", "case_id" });

            migrationBuilder.CreateIndex(
                name: "IX_case_keys_master_key_id",
                table: "case_keys",
                column: "master_key_id");

            migrationBuilder.CreateIndex(
                name: "IX_cases_owner_organisation_id_opened_at",
                table: "cases",
                columns: new[] { "owner_organisation_id", "opened_at" });

            migrationBuilder.CreateIndex(
                name: "IX_consents_case_id",
                table: "consents",
                column: "case_id");

            migrationBuilder.CreateIndex(
                name: "IX_consents_valid_until",
                table: "consents",
                column: "valid_until");

            migrationBuilder.CreateIndex(
                name: "IX_consents_withdrawal_code_hash",
                table: "consents",
                column: "withdrawal_code_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_counselling_sessions_case_id_recorded_at",
                table: "counselling_sessions",
                columns: new[] { "case_id", "recorded_at" });

            migrationBuilder.CreateIndex(
                name: "IX_disclosures_case_id_at",
                table: "disclosures",
                columns: new[] { "case_id", "at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "case_handovers");

            migrationBuilder.DropTable(
                name: "case_keys");

            migrationBuilder.DropTable(
                name: "cases");

            migrationBuilder.DropTable(
                name: "consent_withdrawals");

            migrationBuilder.DropTable(
                name: "counselling_sessions");

            migrationBuilder.DropTable(
                name: "disclosures");

            migrationBuilder.DropTable(
                name: "consents");
        }
    }
}
