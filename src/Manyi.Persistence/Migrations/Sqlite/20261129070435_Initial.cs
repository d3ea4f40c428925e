using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Manyi.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_bookmarks_Name_Key",
                table: "bookmarks");

            migrationBuilder.CreateIndex(
                name: "IX_bookmarks_Name_Key_CorrelationId",
                table: "bookmarks",
                columns: new[] { "Name", "Key", "CorrelationId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_bookmarks_Name_Key_CorrelationId",
                table: "bookmarks");

            migrationBuilder.CreateIndex(
                name: "IX_bookmarks_Name_Key",
                table: "bookmarks",
                columns: new[] { "Name", "Key" });
        }
    }
}
