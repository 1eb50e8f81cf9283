using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Imsa.Network.Handovers.Data.Migrations
{
    /// <inheritdoc />
    public partial class SealTicketTexts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<byte[]>(
                name: "sealed_decline_note",
                table: "handover_tickets",
                type: "bytea",
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "sealed_message",
                table: "handover_tickets",
                type: "bytea",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "case_text_keys",
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
                    table.PrimaryKey("PK_case_text_keys", x => x.case_id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_case_text_keys_master_key_id",
                table: "case_text_keys",
                column: "master_key_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "case_text_keys");

            migrationBuilder.DropColumn(
                name: "sealed_decline_note",
                table: "handover_tickets");

            migrationBuilder.DropColumn(
                name: "sealed_message",
                table: "handover_tickets");
        }
    }
}
