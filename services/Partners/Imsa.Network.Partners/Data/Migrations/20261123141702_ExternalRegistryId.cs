using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Imsa.Network.Partners.Data.Migrations
{
    /// <inheritdoc />
    public partial class ExternalRegistryId : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "external_registry_id",
                table: "organisations",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_organisations_country_external_registry_id",
                table: "organisations",
                columns: new[] { "country", "external_registry_id" },
                unique: true,
                filter: "external_registry_id IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_organisations_country_external_registry_id",
                table: "organisations");

            migrationBuilder.DropColumn(
                name: "external_registry_id",
                table: "organisations");
        }
    }
}
