using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Imsa.Network.Partners.Data.Migrations
{
    /// <inheritdoc />
    public partial class PeopleSignIn : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "actor_person_id",
                table: "credential_events",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "person_id",
                table: "credential_events",
                type: "uuid",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "actor_person_id",
                table: "credential_events");

            migrationBuilder.DropColumn(
                name: "person_id",
                table: "credential_events");
        }
    }
}
