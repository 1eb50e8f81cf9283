using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Imsa.Network.Partners.Data.Migrations
{
    /// <inheritdoc />
    public partial class WebhookSecretsSealed : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<string>(
                name: "secret",
                table: "webhook_subscriptions",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "character varying(100)",
                oldMaxLength: 100);

            migrationBuilder.AddColumn<byte[]>(
                name: "previous_sealed_secret",
                table: "webhook_subscriptions",
                type: "bytea",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "previous_secret_key_id",
                table: "webhook_subscriptions",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "previous_secret_until",
                table: "webhook_subscriptions",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "sealed_secret",
                table: "webhook_subscriptions",
                type: "bytea",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "secret_key_id",
                table: "webhook_subscriptions",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<uint>(
                name: "xmin",
                table: "webhook_subscriptions",
                type: "xid",
                rowVersion: true,
                nullable: false,
                defaultValue: 0u);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "previous_sealed_secret",
                table: "webhook_subscriptions");

            migrationBuilder.DropColumn(
                name: "previous_secret_key_id",
                table: "webhook_subscriptions");

            migrationBuilder.DropColumn(
                name: "previous_secret_until",
                table: "webhook_subscriptions");

            migrationBuilder.DropColumn(
                name: "sealed_secret",
                table: "webhook_subscriptions");

            migrationBuilder.DropColumn(
                name: "secret_key_id",
                table: "webhook_subscriptions");

            migrationBuilder.DropColumn(
                name: "xmin",
                table: "webhook_subscriptions");

            migrationBuilder.AlterColumn<string>(
                name: "secret",
                table: "webhook_subscriptions",
                type: "character varying(100)",
                maxLength: 100,
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "character varying(100)",
                oldMaxLength: 100,
                oldNullable: true);
        }
    }
}
