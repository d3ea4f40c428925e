using Manyi.Persistence;
using Manyi.Persistence.Records;
using Manyi.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Manyi.Web.Features.Tasks;

/// <summary>
/// Who may see and act on a task: its assignee (by id or e-mail); for a task of an organization, that organization's
/// members (in the task's role, if it names one); for a task of a role alone, everyone in the role; administrators
/// always. The list query and the single-task check are the same rule.
/// <para>
/// Files and instances do not simply follow their tasks, since one instance may hold several organizations' tasks
/// beside a task for no organization (an assignee's, a role's). A file is for the organization of the task it was
/// uploaded to (and whoever may act on that task), and for whoever holds a task for no organization in an instance
/// that is that organization's alone (the reviewer of its package). An instance's details are shown only to whom
/// they cannot tell about another organization: members of every organization it holds tasks for, or the holder of
/// a task for no organization in an instance that is one organization's alone.
/// </para>
/// </summary>
public sealed class TaskAccess(CurrentUser user, UserManager<ManyiUser> users, ManyiDbContext db)
{
    private string? _email;
    private bool _emailRead;

    public async Task<IQueryable<HumanTaskRecord>> VisibleAsync(IQueryable<HumanTaskRecord> tasks, CancellationToken cancellationToken)
    {
        var (id, email) = (user.Id, await EmailAsync());
        // The user's organizations and roles as subqueries of the same statement, not as lists: EF Core 10 writes a list's
        // Contains as one parameter per element and then builds the statement's SQL again on every execution (it cannot
        // cache it), under a lock that concurrent requests for the same list wait on. The roles are the stored ones, which
        // the request's security-stamp check keeps equal to the signed-in ones (a role change renews the stamp).
        var organizations = db.OrganizationMembers.Where(m => m.UserId == id).Select(m => m.OrganizationId);
        var roles = from ur in db.UserRoles where ur.UserId == id join r in db.Roles on ur.RoleId equals r.Id select r.Name;
        // The three ways of seeing a task, each a query of its own that finds its rows by an index (assignee; organization;
        // role without an organization), made disjoint and concatenated (UNION ALL). The databases push the caller's
        // filters (status, stage, …) into each part, and there is no join whose order the planner could get wrong. The
        // earlier join of the visible ids to the tasks had SQLite 3.53 (the one Microsoft.Data.Sqlite ships) read every
        // open task by the status index and probe an automatic index of the ids for each: 15-65 ms a query at 2,000 open
        // tasks, twice a list, where this reads the few rows by key (~1 ms). One condition OR-ing the three (or an IN)
        // scanned every open task as well.
        var assigned = tasks.Where(t => t.AssigneeUserId == id || (email != null && t.AssigneeUserId == email));
        var ofMyOrganizations = tasks.Where(t => !(t.AssigneeUserId == id || (email != null && t.AssigneeUserId == email)))
            .Where(t => t.OrganizationId != null && organizations.Contains(t.OrganizationId) && (t.AssigneeRole == null || roles.Contains(t.AssigneeRole)));
        var ofMyRoles = tasks.Where(t => !(t.AssigneeUserId == id || (email != null && t.AssigneeUserId == email)))
            .Where(t => t.OrganizationId == null && t.AssigneeRole != null && roles.Contains(t.AssigneeRole));
        return assigned.Concat(ofMyOrganizations).Concat(ofMyRoles);
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

    /// <summary>Whether the user may read a file uploaded to <paramref name="task"/> (see the class's rule).</summary>
    public async Task<bool> MayReadFileAsync(StoredFileRecord file, HumanTaskRecord task, CancellationToken cancellationToken)
    {
        if (await CanActOnAsync(task, cancellationToken)) return true;
        if (file.OrganizationId is null) return false;
        if ((await user.OrganizationsAsync(cancellationToken)).Contains(file.OrganizationId)) return true;
        return await OrganizationsOfAsync(task.InstanceId, cancellationToken) is [var only] && only == file.OrganizationId
            && await HoldsOrganizationLessTaskAsync(task.InstanceId, cancellationToken);
    }

    /// <summary>The instances whose details the user may see (see the class's rule); administrators see them all.</summary>
    public async Task<IQueryable<WorkflowInstanceRecord>> VisibleInstancesAsync(IQueryable<WorkflowInstanceRecord> instances, CancellationToken cancellationToken)
    {
        if (user.IsAdministrator) return instances;
        var visible = (await VisibleAsync(db.Tasks.AsNoTracking(), cancellationToken)).Select(t => t.InstanceId);
        var reviewed = (await VisibleAsync(db.Tasks.AsNoTracking().Where(t => t.OrganizationId == null), cancellationToken)).Select(t => t.InstanceId);
        var mine = (await user.OrganizationsAsync(cancellationToken)).ToList();
        var tasks = db.Tasks.AsNoTracking();
        return instances.Where(i => visible.Contains(i.Id)
            && (!tasks.Any(t => t.InstanceId == i.Id && t.OrganizationId != null && !mine.Contains(t.OrganizationId))
                || (reviewed.Contains(i.Id)
                    && !tasks.Any(t => t.InstanceId == i.Id && t.OrganizationId != null
                        && tasks.Any(o => o.InstanceId == i.Id && o.OrganizationId != null && o.OrganizationId != t.OrganizationId)))));
    }

    public async Task<bool> MaySeeInstanceAsync(string instanceId, CancellationToken cancellationToken) =>
        user.IsAdministrator
        || await (await VisibleInstancesAsync(db.WorkflowInstances.AsNoTracking(), cancellationToken)).AnyAsync(i => i.Id == instanceId, cancellationToken);

    /// <summary>The organizations an instance holds tasks for.</summary>
    private async Task<List<string>> OrganizationsOfAsync(string instanceId, CancellationToken cancellationToken) =>
        await db.Tasks.AsNoTracking().Where(t => t.InstanceId == instanceId && t.OrganizationId != null)
            .Select(t => t.OrganizationId!).Distinct().ToListAsync(cancellationToken);

    private async Task<bool> HoldsOrganizationLessTaskAsync(string instanceId, CancellationToken cancellationToken) =>
        await (await VisibleAsync(db.Tasks.AsNoTracking().Where(t => t.InstanceId == instanceId && t.OrganizationId == null), cancellationToken))
            .AnyAsync(cancellationToken);

    private async Task<(string Id, string? Email, List<string> Roles, List<string> Organizations)> WhoAsync(CancellationToken cancellationToken)
    {
        var email = await EmailAsync();
        // The roles as signed in: the request's security-stamp check makes sure they are current.
        return (user.Id, email, [.. user.Roles], [.. await user.OrganizationsAsync(cancellationToken)]);
    }

    private async Task<string?> EmailAsync()
    {
        if (!_emailRead)
        {
            // The address the user signed in with (a claim of the sign-in): as current as the security stamp, which a new
            // address renews and every request checks. Only a sign-in without one looks the user up.
            _email = user.Email ?? (await users.FindByIdAsync(user.Id))?.Email;
            _emailRead = true;
        }
        return _email;
    }
}
