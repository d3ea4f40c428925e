using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Manyi.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class TriggerTimers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "ResumeAt",
                table: "triggers",
                type: "timestamp with time zone",
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
