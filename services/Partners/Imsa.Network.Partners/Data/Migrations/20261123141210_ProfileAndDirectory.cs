using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Imsa.Network.Partners.Data.Migrations
{
    /// <inheritdoc />
    public partial class ProfileAndDirectory : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "profile",
                table: "organisations",
                type: "jsonb",
                nullable: false,
                // Organisations registered before profiles existed start with the empty profile.
                defaultValue: "{\"address\":null,\"contacts\":[],\"languages\":[],\"topics\":[],\"receiving\":null}");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "profile_updated_at",
                table: "organisations",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "directory_state",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false),
                    version = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_directory_state", x => x.id);
                });

            migrationBuilder.InsertData(
                table: "directory_state",
                columns: new[] { "id", "version" },
                values: new object[] { 1, 0L });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "directory_state");

            migrationBuilder.DropColumn(
                name: "profile",
                table: "organisations");

            migrationBuilder.DropColumn(
                name: "profile_updated_at",
                table: "organisations");
        }
    }
}
