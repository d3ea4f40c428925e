using Manyi.Engine.Tasks;
using Manyi.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Manyi.Web.Features.Tasks;

/// <summary>
/// Who gets a task's reminders, as the tasks stand now: whoever claimed it; else its assignee; else the members of its
/// organization (in its role, if any) and the organization's contacts; else everyone in its role.
/// </summary>
public sealed class TaskDirectory(ManyiDbContext db) : ITaskDirectory
{
    public async Task<IReadOnlyDictionary<string, string>> OrganizationNamesAsync(IReadOnlyList<string> organizationIds, CancellationToken cancellationToken) =>
        await db.Organizations.AsNoTracking().Where(o => organizationIds.Contains(o.Id)).ToDictionaryAsync(o => o.Id, o => o.Name, cancellationToken);

    /// <summary>Typed addresses as they are; <c>role:X</c> as the addresses of X's members now, <c>user:{id}</c> as that user's.</summary>
    public async Task<IReadOnlyList<string>> AddressesAsync(IReadOnlyList<string> recipients, CancellationToken cancellationToken)
    {
        var addresses = new List<string>();
        foreach (var entry in recipients)
        {
            if (entry.StartsWith(Recipients.RolePrefix, StringComparison.Ordinal))
            {
                var role = entry[Recipients.RolePrefix.Length..];
                addresses.AddRange(await db.Users
                    .Where(u => u.Email != null && db.UserRoles.Any(ur => ur.UserId == u.Id && db.Roles.Any(r => r.Id == ur.RoleId && r.Name == role)))
                    .OrderBy(u => u.Email).Select(u => u.Email!).ToListAsync(cancellationToken));
            }
            else if (entry.StartsWith(Recipients.UserPrefix, StringComparison.Ordinal))
            {
                var id = entry[Recipients.UserPrefix.Length..];
                addresses.AddRange(await db.Users.Where(u => u.Id == id && u.Email != null).Select(u => u.Email!).ToListAsync(cancellationToken));
            }
            else
            {
                addresses.Add(entry);
            }
        }
        return [.. addresses.Distinct(StringComparer.OrdinalIgnoreCase)];
    }

    public async Task<IReadOnlyList<string>> ReminderRecipientsAsync(IReadOnlyList<string> taskIds, CancellationToken cancellationToken)
    {
        var tasks = await db.Tasks.AsNoTracking().Where(t => taskIds.Contains(t.Id)).ToListAsync(cancellationToken);
        var recipients = new SortedSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var task in tasks)
        {
            var person = task.ClaimedByUserId ?? task.AssigneeUserId;
            if (person is not null)
            {
                recipients.UnionWith(await db.Users.Where(u => u.Id == person || u.Email == person).Select(u => u.Email!).ToListAsync(cancellationToken));
                continue;
            }
            var members = db.Users.AsQueryable();
            if (task.OrganizationId is { } organization)
            {
                members = members.Where(u => db.OrganizationMembers.Any(m => m.UserId == u.Id && m.OrganizationId == organization));
                recipients.UnionWith(await db.OrganizationContacts.Where(c => c.OrganizationId == organization).Select(c => c.Email).ToListAsync(cancellationToken));
            }
            if (task.AssigneeRole is { } role)
                members = members.Where(u => db.UserRoles.Any(ur => ur.UserId == u.Id && db.Roles.Any(r => r.Id == ur.RoleId && r.Name == role)));
            recipients.UnionWith(await members.Where(u => u.Email != null).Select(u => u.Email!).ToListAsync(cancellationToken));
        }
        return [.. recipients];
    }
}
