using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Manyi.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class TimerClaims : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "ClaimedUntil",
                table: "bookmarks",
                type: "INTEGER",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ClaimedUntil",
                table: "bookmarks");
        }
    }
}
