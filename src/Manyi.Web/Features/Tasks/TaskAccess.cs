using Manyi.Persistence;
using Manyi.Persistence.Records;
using Manyi.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Manyi.Web.Features.Tasks;

/// <summary>
/// Who may see and act on a task: its assignee (by id or e-mail); for a task of an organization, that organization's
/// members (in the task's role, if it names one); for a task of a role alone, everyone in the role; administrators
/// always. Files and instances follow their tasks. The list query and the single-task check are the same rule.
/// </summary>
public sealed class TaskAccess(CurrentUser user, UserManager<ManyiUser> users)
{
    private string? _email;
    private IReadOnlyList<string>? _roles;

    public async Task<IQueryable<HumanTaskRecord>> VisibleAsync(IQueryable<HumanTaskRecord> tasks, CancellationToken cancellationToken)
    {
        var (id, email, roles, organizations) = await WhoAsync(cancellationToken);
        return tasks.Where(t => t.AssigneeUserId == id || (email != null && t.AssigneeUserId == email)
            || (t.OrganizationId != null && organizations.Contains(t.OrganizationId) && (t.AssigneeRole == null || roles.Contains(t.AssigneeRole)))
            || (t.OrganizationId == null && t.AssigneeRole != null && roles.Contains(t.AssigneeRole)));
    }

    public async Task<bool> CanActOnAsync(HumanTaskRecord task, CancellationToken cancellationToken)
    {
        if (user.IsAdministrator) return true;
        var (id, email, roles, organizations) = await WhoAsync(cancellationToken);
        if (task.AssigneeUserId is { } assignee && (assignee == id || assignee == email)) return true;
        if (task.OrganizationId is not null)
            return organizations.Contains(task.OrganizationId) && (task.AssigneeRole is null || roles.Contains(task.AssigneeRole));
        return task.AssigneeRole is not null && roles.Contains(task.AssigneeRole);
    }

    private async Task<(string Id, string? Email, List<string> Roles, List<string> Organizations)> WhoAsync(CancellationToken cancellationToken)
    {
        if (_roles is null)
        {
            var record = await users.FindByIdAsync(user.Id);
            _email = record?.Email;
            _roles = record is null ? [] : [.. await users.GetRolesAsync(record)];
        }
        return (user.Id, _email, [.. _roles], [.. await user.OrganizationsAsync(cancellationToken)]);
    }
}
