using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Imsa.Network.Handovers.Data.Migrations
{
    /// <inheritdoc />
    public partial class TicketsAndProjections : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "accepting",
                table: "known_organisations",
                type: "boolean",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "capacity_changed_at",
                table: "known_organisations",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "max_open_handovers",
                table: "known_organisations",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "no_capacity_until",
                table: "known_organisations",
                type: "date",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "case_owners",
                columns: table => new
                {
                    case_id = table.Column<Guid>(type: "uuid", nullable: false),
                    owner_organisation_id = table.Column<Guid>(type: "uuid", nullable: false),
                    erased = table.Column<bool>(type: "boolean", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_case_owners", x => x.case_id);
                });

            migrationBuilder.CreateTable(
                name: "consent_coverage",
                columns: table => new
                {
                    consent_id = table.Column<Guid>(type: "uuid", nullable: false),
                    case_id = table.Column<Guid>(type: "uuid", nullable: false),
                    recipients = table.Column<List<Guid>>(type: "uuid[]", nullable: false),
                    categories = table.Column<List<string>>(type: "text[]", nullable: false),
                    granted = table.Column<bool>(type: "boolean", nullable: false),
                    valid_from = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    valid_until = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ended_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ended_how = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_consent_coverage", x => x.consent_id);
                });

            migrationBuilder.CreateTable(
                name: "handover_tickets",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    case_id = table.Column<Guid>(type: "uuid", nullable: false),
                    origin_organisation_id = table.Column<Guid>(type: "uuid", nullable: false),
                    receiver_organisation_id = table.Column<Guid>(type: "uuid", nullable: false),
                    status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    version = table.Column<long>(type: "bigint", nullable: false),
                    topics = table.Column<List<string>>(type: "text[]", nullable: false),
                    planned_arrival = table.Column<DateOnly>(type: "date", nullable: true),
                    message = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    requested_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    answer_due_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    escalated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    accepted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    follow_up_due_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    follow_up_flagged_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    decline_reason = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    decline_note = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    revocation_cause = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    last_outcome = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    last_outcome_on = table.Column<DateOnly>(type: "date", nullable: true),
                    closed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_handover_tickets", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "handover_timeline",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    ticket_id = table.Column<Guid>(type: "uuid", nullable: false),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    actor = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    actor_organisation_id = table.Column<Guid>(type: "uuid", nullable: true),
                    action = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    detail = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    version = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_handover_timeline", x => x.id);
                    table.ForeignKey(
                        name: "FK_handover_timeline_handover_tickets_ticket_id",
                        column: x => x.ticket_id,
                        principalTable: "handover_tickets",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_consent_coverage_case_id",
                table: "consent_coverage",
                column: "case_id");

            migrationBuilder.CreateIndex(
                name: "IX_handover_tickets_answer_due_at",
                table: "handover_tickets",
                column: "answer_due_at",
                filter: "status = 'Offered'");

            migrationBuilder.CreateIndex(
                name: "IX_handover_tickets_follow_up_due_at",
                table: "handover_tickets",
                column: "follow_up_due_at",
                filter: "status = 'Accepted' AND follow_up_flagged_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "IX_handover_tickets_origin_organisation_id_status",
                table: "handover_tickets",
                columns: new[] { "origin_organisation_id", "status" });

            migrationBuilder.CreateIndex(
                name: "IX_handover_tickets_receiver_organisation_id_status",
                table: "handover_tickets",
                columns: new[] { "receiver_organisation_id", "status" });

            migrationBuilder.CreateIndex(
                name: "ix_handover_tickets_one_open_per_case_and_receiver",
                table: "handover_tickets",
                columns: new[] { "case_id", "receiver_organisation_id" },
                unique: true,
                filter: "status IN ('Requested', 'Offered', 'Accepted', 'InContact', 'Escalated')");

            migrationBuilder.CreateIndex(
                name: "IX_handover_timeline_ticket_id",
                table: "handover_timeline",
                column: "ticket_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "case_owners");

            migrationBuilder.DropTable(
                name: "consent_coverage");

            migrationBuilder.DropTable(
                name: "handover_timeline");

            migrationBuilder.DropTable(
                name: "handover_tickets");

            migrationBuilder.DropColumn(
                name: "accepting",
                table: "known_organisations");

            migrationBuilder.DropColumn(
                name: "capacity_changed_at",
                table: "known_organisations");

            migrationBuilder.DropColumn(
                name: "max_open_handovers",
                table: "known_organisations");

            migrationBuilder.DropColumn(
                name: "no_capacity_until",
                table: "known_organisations");
        }
    }
}
