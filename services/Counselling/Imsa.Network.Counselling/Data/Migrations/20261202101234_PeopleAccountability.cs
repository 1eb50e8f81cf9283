using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Imsa.Network.Counselling.Data.Migrations
{
    /// <inheritdoc />
    public partial class PeopleAccountability : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "reader_client_id",
                table: "disclosures",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "reader_person_id",
                table: "disclosures",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "recorded_by_person_id",
                table: "consents",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "person_id",
                schema: "admin",
                table: "audit_trail",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "activity",
                schema: "admin",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    organisation_id = table.Column<Guid>(type: "uuid", nullable: false),
                    client_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    person_id = table.Column<Guid>(type: "uuid", nullable: true),
                    endpoint = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    changes = table.Column<List<string>>(type: "text[]", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_activity", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "deactivated_people",
                schema: "access",
                columns: table => new
                {
                    person_id = table.Column<Guid>(type: "uuid", nullable: false),
                    organisation_id = table.Column<Guid>(type: "uuid", nullable: false),
                    deactivated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_deactivated_people", x => x.person_id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_activity_organisation_id_id",
                schema: "admin",
                table: "activity",
                columns: new[] { "organisation_id", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "activity",
                schema: "admin");

            migrationBuilder.DropTable(
                name: "deactivated_people",
                schema: "access");

            migrationBuilder.DropColumn(
                name: "reader_client_id",
                table: "disclosures");

            migrationBuilder.DropColumn(
                name: "reader_person_id",
                table: "disclosures");

            migrationBuilder.DropColumn(
                name: "recorded_by_person_id",
                table: "consents");

            migrationBuilder.DropColumn(
                name: "person_id",
                schema: "admin",
                table: "audit_trail");
        }
    }
}
