using Manyi.Persistence.Records;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Manyi.Persistence.Tests;

/// <summary>The audit trail is append-only in the database itself: each provider's trigger refuses a change or a removal.</summary>
public sealed class AuditTrailTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task An_audit_entry_can_be_added_but_neither_changed_nor_removed(string provider)
    {
        await using var data = await DataHarness.StartAsync(provider);
        var id = await data.InScopeAsync(async services =>
        {
            var db = services.GetRequiredService<ManyiDbContext>();
            var entry = new AuditEntryRecord { At = DateTimeOffset.UtcNow, Action = "task.completed", SubjectType = "task", SubjectId = "t-1" };
            db.AuditEntries.Add(entry);
            await db.SaveChangesAsync(Ct);
            return entry.Id;
        });

        await data.InScopeAsync(async services =>
        {
            var entries = services.GetRequiredService<ManyiDbContext>().AuditEntries.Where(a => a.Id == id);
            var changed = await Assert.ThrowsAnyAsync<Exception>(() => entries.ExecuteUpdateAsync(a => a.SetProperty(e => e.Action, "task.cancelled"), Ct));
            Assert.Contains("append-only", changed.Message + changed.InnerException?.Message, StringComparison.Ordinal);
            var removed = await Assert.ThrowsAnyAsync<Exception>(() => entries.ExecuteDeleteAsync(Ct));
            Assert.Contains("append-only", removed.Message + removed.InnerException?.Message, StringComparison.Ordinal);
        });

        var kept = await data.InScopeAsync(services => services.GetRequiredService<ManyiDbContext>().AuditEntries.AsNoTracking().SingleAsync(a => a.Id == id, Ct));
        Assert.Equal("task.completed", kept.Action);
    }
}
