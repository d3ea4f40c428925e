using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Manyi.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class TrainingSeats : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "training_seats",
                columns: table => new
                {
                    Year = table.Column<int>(type: "INTEGER", nullable: false),
                    OrganizationId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    SessionId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Attendees = table.Column<int>(type: "INTEGER", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    ReceivedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    InstanceId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ChangedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_training_seats", x => new { x.Year, x.OrganizationId });
                });

            migrationBuilder.CreateIndex(
                name: "IX_training_seats_Year_SessionId_Status_ReceivedAt",
                table: "training_seats",
                columns: new[] { "Year", "SessionId", "Status", "ReceivedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "training_seats");
        }
    }
}
