using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Imsa.Network.Partners.Data.Migrations
{
    /// <inheritdoc />
    public partial class HandoverLoad : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "load_version",
                table: "directory_state",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.CreateTable(
                name: "receiver_handovers",
                columns: table => new
                {
                    handover_id = table.Column<Guid>(type: "uuid", nullable: false),
                    receiver_organisation_id = table.Column<Guid>(type: "uuid", nullable: false),
                    open = table.Column<bool>(type: "boolean", nullable: false),
                    version = table.Column<long>(type: "bigint", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_receiver_handovers", x => x.handover_id);
                });

            migrationBuilder.UpdateData(
                table: "directory_state",
                keyColumn: "id",
                keyValue: 1,
                column: "load_version",
                value: 0L);

            migrationBuilder.CreateIndex(
                name: "IX_receiver_handovers_receiver_organisation_id",
                table: "receiver_handovers",
                column: "receiver_organisation_id",
                filter: "open");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "receiver_handovers");

            migrationBuilder.DropColumn(
                name: "load_version",
                table: "directory_state");
        }
    }
}
