using System.Text.Json;
using System.Text.Json.Nodes;
using Manyi.Engine.Runtime;
using Manyi.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Manyi.Email.Channels;

/// <summary>
/// Turns a reminder or notice into robot lines: for every enabled channel that serves the kind and the organization
/// (or the task's role), one outbox line per organization, keyed <c>robot:{channel}:{organization}:{e-mail key}</c> so
/// that the line, like its e-mail, is queued once however often its burst runs.
/// </summary>
public sealed class ChannelDirectory(ManyiDbContext db, ChannelOptions options) : IChatRobots
{
    private static readonly JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public async ValueTask<IReadOnlyList<OutgoingEmail>> LinesAsync(RobotNotice notice, CancellationToken cancellationToken)
    {
        var channels = (await db.NotificationChannels.AsNoTracking().Where(c => c.Enabled).ToListAsync(cancellationToken))
            .Select(Channel.From).Where(c => c.MessageKinds.Contains(notice.Kind)).ToList();
        if (channels.Count == 0) return [];

        var targets = await TargetsAsync(notice, cancellationToken);
        var organizationIds = targets.Select(t => t.OrganizationId).OfType<string>().Distinct().ToList();
        var names = await db.Organizations.AsNoTracking().Where(o => organizationIds.Contains(o.Id))
            .ToDictionaryAsync(o => o.Id, o => o.Name, cancellationToken);

        var lines = new List<OutgoingEmail>();
        foreach (var channel in channels)
        foreach (var target in targets.Where(t => channel.Serves(notice.Kind, t.OrganizationId, t.Role)).DistinctBy(t => t.OrganizationId))
        {
            var facts = (JsonObject)notice.Line.DeepClone();
            // Internal ids stay out of what people read: the line names the organization and links to the task.
            facts.Remove("workflowInstanceId");
            facts.Remove("correlationId");
            facts["kind"] = notice.Kind;
            if (target.OrganizationId is { } id) facts["organization"] = names.GetValueOrDefault(id, id);
            if (target.TaskId is { } taskId) facts["link"] = $"{options.LinkBase.TrimEnd('/')}/tasks/{Uri.EscapeDataString(taskId)}";
            var title = (string?)facts["title"] ?? notice.Kind;
            var organization = (string?)facts["organization"];
            lines.Add(new OutgoingEmail($"robot:{channel.Id}:{target.OrganizationId ?? "-"}:{notice.Key}", notice.Kind, [channel.Name],
                title, organization is null ? title : $"{organization}：{title}")
            {
                ChannelId = channel.Id,
                Payload = facts.ToJsonString(Json),
            });
        }
        return lines;
    }

    private async Task<IReadOnlyList<Target>> TargetsAsync(RobotNotice notice, CancellationToken cancellationToken)
    {
        if (notice.TaskIds.Count > 0)
        {
            var ids = notice.TaskIds.ToList();
            var tasks = await db.Tasks.AsNoTracking().Where(t => ids.Contains(t.Id))
                .Select(t => new Target(t.Id, t.OrganizationId, t.AssigneeRole)).ToListAsync(cancellationToken);
            if (tasks.Count > 0) return tasks;
        }
        if (notice.OrganizationIds.Count > 0) return [.. notice.OrganizationIds.Select(o => new Target(null, o, null))];
        return [new Target(null, null, null)];
    }

    private sealed record Target(string? TaskId, string? OrganizationId, string? Role);
}
