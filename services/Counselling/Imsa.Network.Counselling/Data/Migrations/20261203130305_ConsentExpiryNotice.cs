using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Imsa.Network.Counselling.Data.Migrations
{
    /// <inheritdoc />
    public partial class ConsentExpiryNotice : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Null for every consent recorded before: one already in its notice period is announced at the expiry
            // job's first run after the upgrade, as it would have been.
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "expiry_notice_at",
                table: "consents",
                type: "timestamp with time zone",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "expiry_notice_at",
                table: "consents");
        }
    }
}
