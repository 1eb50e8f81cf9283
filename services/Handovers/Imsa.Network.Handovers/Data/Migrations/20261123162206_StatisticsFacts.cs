using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Imsa.Network.Handovers.Data.Migrations
{
    /// <inheritdoc />
    public partial class StatisticsFacts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "profile_changed_at",
                table: "known_organisations",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<List<string>>(
                name: "service_types",
                table: "known_organisations",
                type: "text[]",
                nullable: false,
                // Existing organisations have none until their next profile event.
                defaultValueSql: "'{}'::text[]");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "answered_at",
                table: "handover_tickets",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "first_contact_at",
                table: "handover_tickets",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "destination_state",
                table: "case_owners",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "planned_arrival_month",
                table: "case_owners",
                type: "date",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "purpose",
                table: "case_owners",
                type: "text",
                nullable: false,
                defaultValue: "");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "profile_changed_at",
                table: "known_organisations");

            migrationBuilder.DropColumn(
                name: "service_types",
                table: "known_organisations");

            migrationBuilder.DropColumn(
                name: "answered_at",
                table: "handover_tickets");

            migrationBuilder.DropColumn(
                name: "first_contact_at",
                table: "handover_tickets");

            migrationBuilder.DropColumn(
                name: "destination_state",
                table: "case_owners");

            migrationBuilder.DropColumn(
                name: "planned_arrival_month",
                table: "case_owners");

            migrationBuilder.DropColumn(
                name: "purpose",
                table: "case_owners");
        }
    }
}
