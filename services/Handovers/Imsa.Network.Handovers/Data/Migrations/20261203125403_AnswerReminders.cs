using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Imsa.Network.Handovers.Data.Migrations
{
    /// <inheritdoc />
    public partial class AnswerReminders : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "answer_reminder_at",
                table: "handover_tickets",
                type: "timestamp with time zone",
                nullable: true);

            // Offers made before this release have no reminder armed: arm one a day before their deadline (the default
            // lead, one working day, without working out the weekdays again). One whose day has already begun is
            // reminded at the SLA job's next pass, unless its deadline has passed too (then it is escalated instead).
            migrationBuilder.Sql(
                """
                UPDATE handover_tickets SET answer_reminder_at = answer_due_at - interval '1 day'
                WHERE status = 'Offered' AND answer_due_at IS NOT NULL
                """);

            migrationBuilder.CreateIndex(
                name: "IX_handover_tickets_answer_reminder_at",
                table: "handover_tickets",
                column: "answer_reminder_at",
                filter: "answer_reminder_at IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_handover_tickets_answer_reminder_at",
                table: "handover_tickets");

            migrationBuilder.DropColumn(
                name: "answer_reminder_at",
                table: "handover_tickets");
        }
    }
}
