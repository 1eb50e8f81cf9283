using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Imsa.Network.Partners.Data.Migrations
{
    /// <inheritdoc />
    public partial class Notifications : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "notification_language",
                schema: "identity",
                table: "people",
                type: "character varying(2)",
                maxLength: 2,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "notification_mails",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    person_id = table.Column<Guid>(type: "uuid", nullable: false),
                    digest = table.Column<bool>(type: "boolean", nullable: false),
                    status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    next_attempt_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    claimed_until = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_error = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    sent_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_notification_mails", x => x.id);
                    table.ForeignKey(
                        name: "FK_notification_mails_people_person_id",
                        column: x => x.person_id,
                        principalSchema: "identity",
                        principalTable: "people",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "notification_minimums",
                columns: table => new
                {
                    organisation_id = table.Column<Guid>(type: "uuid", nullable: false),
                    kind = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    minimum = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_notification_minimums", x => new { x.organisation_id, x.kind });
                    table.ForeignKey(
                        name: "FK_notification_minimums_organisations_organisation_id",
                        column: x => x.organisation_id,
                        principalTable: "organisations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "notification_preferences",
                columns: table => new
                {
                    person_id = table.Column<Guid>(type: "uuid", nullable: false),
                    kind = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    choice = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_notification_preferences", x => new { x.person_id, x.kind });
                    table.ForeignKey(
                        name: "FK_notification_preferences_people_person_id",
                        column: x => x.person_id,
                        principalSchema: "identity",
                        principalTable: "people",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "notifications",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    person_id = table.Column<Guid>(type: "uuid", nullable: false),
                    kind = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    source_key = table.Column<string>(type: "character varying(120)", maxLength: 120, nullable: false),
                    link = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    handover_id = table.Column<Guid>(type: "uuid", nullable: true),
                    case_id = table.Column<Guid>(type: "uuid", nullable: true),
                    organisation_id = table.Column<Guid>(type: "uuid", nullable: true),
                    code = table.Column<string>(type: "character varying(60)", maxLength: 60, nullable: true),
                    due_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    delivery = table.Column<int>(type: "integer", nullable: false),
                    mail_id = table.Column<Guid>(type: "uuid", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    read_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_notifications", x => x.id);
                    table.ForeignKey(
                        name: "FK_notifications_people_person_id",
                        column: x => x.person_id,
                        principalSchema: "identity",
                        principalTable: "people",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_notification_mails_next_attempt_at",
                table: "notification_mails",
                column: "next_attempt_at",
                filter: "status = 'Pending'");

            migrationBuilder.CreateIndex(
                name: "IX_notification_mails_person_id",
                table: "notification_mails",
                column: "person_id");

            migrationBuilder.CreateIndex(
                name: "IX_notifications_case_id",
                table: "notifications",
                column: "case_id",
                filter: "case_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_notifications_mail_id",
                table: "notifications",
                column: "mail_id");

            migrationBuilder.CreateIndex(
                name: "IX_notifications_person_id_id",
                table: "notifications",
                columns: new[] { "person_id", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_notifications_person_id_source_key",
                table: "notifications",
                columns: new[] { "person_id", "source_key" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_notifications_undigested",
                table: "notifications",
                column: "created_at",
                filter: "mail_id IS NULL");

            migrationBuilder.CreateIndex(
                name: "IX_notifications_unread",
                table: "notifications",
                column: "person_id",
                filter: "read_at IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "notification_mails");

            migrationBuilder.DropTable(
                name: "notification_minimums");

            migrationBuilder.DropTable(
                name: "notification_preferences");

            migrationBuilder.DropTable(
                name: "notifications");

            migrationBuilder.DropColumn(
                name: "notification_language",
                schema: "identity",
                table: "people");
        }
    }
}
