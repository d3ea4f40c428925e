using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Manyi.Persistence.Migrations;

// Used only by `dotnet ef migrations add`; the connection strings are placeholders, never opened.
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteManyiDbContext>
{
    public SqliteManyiDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteManyiDbContext>().UseSqlite("Data Source=design-time.db").Options);
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresManyiDbContext>
{
    public PostgresManyiDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresManyiDbContext>().UseNpgsql("Host=localhost;Database=manyi_design").Options);
}
