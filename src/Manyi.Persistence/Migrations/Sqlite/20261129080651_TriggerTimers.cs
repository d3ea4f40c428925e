using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Manyi.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class TriggerTimers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "ResumeAt",
                table: "triggers",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_triggers_ResumeAt",
                table: "triggers",
                column: "ResumeAt",
                filter: "\"ResumeAt\" IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_triggers_ResumeAt",
                table: "triggers");

            migrationBuilder.DropColumn(
                name: "ResumeAt",
                table: "triggers");
        }
    }
}
