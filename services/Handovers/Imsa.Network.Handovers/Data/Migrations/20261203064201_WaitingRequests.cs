using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Imsa.Network.Handovers.Data.Migrations
{
    /// <inheritdoc />
    public partial class WaitingRequests : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_handover_tickets_one_open_per_case_and_receiver",
                table: "handover_tickets");

            migrationBuilder.CreateIndex(
                name: "ix_handover_tickets_one_open_per_case_and_receiver",
                table: "handover_tickets",
                columns: new[] { "case_id", "receiver_organisation_id" },
                unique: true,
                filter: "status IN ('Offered', 'Accepted', 'InContact', 'Escalated')");

            migrationBuilder.CreateIndex(
                name: "ix_handover_tickets_waiting",
                table: "handover_tickets",
                column: "case_id",
                filter: "status = 'Requested'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_handover_tickets_one_open_per_case_and_receiver",
                table: "handover_tickets");

            migrationBuilder.DropIndex(
                name: "ix_handover_tickets_waiting",
                table: "handover_tickets");

            migrationBuilder.CreateIndex(
                name: "ix_handover_tickets_one_open_per_case_and_receiver",
                table: "handover_tickets",
                columns: new[] { "case_id", "receiver_organisation_id" },
                unique: true,
                filter: "status IN ('Requested', 'Offered', 'Accepted', 'InContact', 'Escalated')");
        }
    }
}
