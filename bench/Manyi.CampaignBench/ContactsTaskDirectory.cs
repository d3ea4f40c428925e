using Manyi.Engine.Tasks;
using Manyi.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Manyi.CampaignBench;

/// <summary>
/// Who gets a task's reminders, as the web host's TaskDirectory decides for the campaign's tasks when no user claimed
/// or was assigned one: the contacts of the task's organization (the bench has no user accounts, so no members and
/// no role members).
/// </summary>
public sealed class ContactsTaskDirectory(ManyiDbContext db) : ITaskDirectory
{
    public async Task<IReadOnlyList<string>> ReminderRecipientsAsync(IReadOnlyList<string> taskIds, CancellationToken cancellationToken)
    {
        var organizations = await db.Tasks.AsNoTracking().Where(t => taskIds.Contains(t.Id) && t.OrganizationId != null)
            .Select(t => t.OrganizationId!).Distinct().ToListAsync(cancellationToken);
        if (organizations.Count == 0) return [];
        var emails = await db.OrganizationContacts.AsNoTracking().Where(c => organizations.Contains(c.OrganizationId))
            .Select(c => c.Email).ToListAsync(cancellationToken);
        return [.. new SortedSet<string>(emails, StringComparer.OrdinalIgnoreCase)];
    }

    /// <summary>The catalogue's names, as the web host's TaskDirectory reads them.</summary>
    public async Task<IReadOnlyDictionary<string, string>> OrganizationNamesAsync(IReadOnlyList<string> organizationIds, CancellationToken cancellationToken) =>
        await db.Organizations.AsNoTracking().Where(o => organizationIds.Contains(o.Id)).ToDictionaryAsync(o => o.Id, o => o.Name, cancellationToken);
}
