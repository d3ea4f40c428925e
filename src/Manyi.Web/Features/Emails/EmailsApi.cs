using System.Text.Json.Nodes;
using Manyi.Persistence;
using Manyi.Persistence.Records;
using Manyi.Web.Infrastructure;
using Manyi.Web.Infrastructure.Services;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Manyi.Web.Features.Emails;

/// <summary>
/// The message log (e-mails and chat robot lines): every message of the outbox (<c>outbox_messages</c>), newest first, with its delivery status,
/// attempts and the server's last error. For administrators. The one-time links and codes of account e-mails
/// (invitations, password resets, address confirmations) are never shown: whoever read them could take the account.
/// </summary>
public sealed class EmailLogService(ManyiDbContext db, Dashboard.CampaignDashboard campaigns)
{
    /// <summary>Messages, newest first, filtered as <paramref name="filter"/> says.</summary>
    public async Task<Outcome<EmailPage>> ListAsync(EmailLogFilter filter, CancellationToken cancellationToken)
    {
        var (kind, status, recipient, organization, from, to, page, pageSize, channel, year) = filter;
        var errors = new Dictionary<string, string[]>();
        if (pageSize is < 1 or > EmailsApi.MaxPageSize)
            errors["pageSize"] = [$"每页条数须在 1 到 {EmailsApi.MaxPageSize} 之间。pageSize must be between 1 and {EmailsApi.MaxPageSize}, not {pageSize}."];
        if (page < 1) errors["page"] = [$"页码须从 1 开始。page starts at 1, not {page}."];
        EmailStatus? wanted = null;
        if (!string.IsNullOrWhiteSpace(status))
        {
            if (Enum.TryParse<EmailStatus>(status, ignoreCase: true, out var parsed) && !int.TryParse(status, out _)) wanted = parsed;
            else errors["status"] = [$"未知状态 '{status}'。Unknown status '{status}'; use sent, pending or failed."];
        }
        if (from is not null && to is not null && from > to) errors["to"] = ["结束时间早于开始时间。'to' is before 'from'."];
        if (!string.IsNullOrWhiteSpace(organization) && !await db.Organizations.AnyAsync(o => o.Id == organization, cancellationToken))
            errors["organization"] = [$"单位 '{organization}' 不存在。No organization '{organization}'."];
        long? channelId = null;
        if (!string.IsNullOrWhiteSpace(channel) && channel.Trim() != EmailChannel)
        {
            if (long.TryParse(channel, out var id) && await db.NotificationChannels.AnyAsync(c => c.Id == id, cancellationToken)) channelId = id;
            else errors["channel"] = [$"渠道 '{channel}' 不存在；可选 email（邮件）或群机器人的编号。No channel '{channel}'; use email or a chat robot's id."];
        }
        if (errors.Count > 0) return new Failure.Invalid(errors);

        var query = db.OutboxMessages.AsNoTracking();
        if (channel?.Trim() == EmailChannel) query = query.Where(m => m.ChannelId == null);
        else if (channelId is { } robot) query = query.Where(m => m.ChannelId == robot);
        if (!string.IsNullOrWhiteSpace(kind)) query = query.Where(m => m.Kind == kind.Trim());
        if (year is { } campaignYear)
        {
            var instanceIds = await campaigns.InstanceIdsAsync(campaignYear, cancellationToken);
            query = query.Where(m => m.InstanceId != null && instanceIds.Contains(m.InstanceId));
        }
        if (wanted is { } s)
        {
            var stored = Stored(s);
            query = query.Where(m => m.Status == stored);
        }
        if (!string.IsNullOrWhiteSpace(recipient))
        {
            var part = recipient.Trim().ToLowerInvariant();
            query = query.Where(m => m.To.ToLower().Contains(part));
        }
        if (!string.IsNullOrWhiteSpace(organization))
        {
            // Its own workflow's messages (reminders, invitations), and the campaign's messages keyed by it (the notice, the rating).
            var instances = db.WorkflowInstances.Where(i => i.CorrelationId == organization).Select(i => i.Id);
            var suffix = ":" + organization;
            query = query.Where(m => (m.InstanceId != null && instances.Contains(m.InstanceId)) || m.Key.EndsWith(suffix));
        }
        // PostgreSQL compares instants in UTC only.
        if (from?.ToUniversalTime() is { } after) query = query.Where(m => m.CreatedAt >= after);
        if (to?.ToUniversalTime() is { } before) query = query.Where(m => m.CreatedAt <= before);

        var total = await query.CountAsync(cancellationToken);
        var rows = await query.OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id).Skip((page - 1) * pageSize).Take(pageSize)
            .Select(m => new Row(m.Id, m.Key, m.Kind, m.InstanceId, m.To, m.Subject, m.Status, m.Attempts, m.LastError, m.CreatedAt, m.SentAt, m.ChannelId))
            .ToListAsync(cancellationToken);
        var organizations = await OrganizationsAsync(rows, cancellationToken);
        var kinds = await db.OutboxMessages.AsNoTracking().Select(m => m.Kind).Distinct().ToListAsync(cancellationToken);
        var channels = await db.NotificationChannels.AsNoTracking().OrderBy(c => c.Name).Select(c => new ChannelOption(c.Id, c.Name)).ToListAsync(cancellationToken);
        return new EmailPage([.. rows.Select(r => Summary(r, organizations))], total, page, pageSize, [.. kinds.Order(StringComparer.Ordinal)], channels);
    }

    public async Task<Outcome<EmailDetail>> GetAsync(long id, CancellationToken cancellationToken)
    {
        var message = await db.OutboxMessages.AsNoTracking().FirstOrDefaultAsync(m => m.Id == id, cancellationToken);
        if (message is null) return new Failure.NotFound($"邮件 {id} 不存在。E-mail {id} does not exist.");
        var row = new Row(message.Id, message.Key, message.Kind, message.InstanceId, message.To, message.Subject, message.Status, message.Attempts,
            message.LastError, message.CreatedAt, message.SentAt, message.ChannelId);
        var organizations = await OrganizationsAsync([row], cancellationToken);
        var hidden = EmailsApi.SecretKinds.Contains(message.Kind);
        var attachments = (message.Attachments is null ? null : JsonNode.Parse(message.Attachments) as JsonArray ?? [])?
            .Select(a => new EmailAttachment((string?)a?["fileName"] ?? "", (string?)a?["contentType"] ?? "",
                a?["content"] is JsonValue content && content.TryGetValue<string>(out var base64) ? base64.Length / 4 * 3 - base64.Count(c => c == '=') : 0))
            .ToList() ?? [];
        return new EmailDetail(Summary(row, organizations),
            hidden ? "（此类邮件含一次性链接或验证码，不予显示。This kind of e-mail carries a one-time link or code and is not shown.）" : message.TextBody,
            hidden, message.HtmlBody is not null, attachments);
    }

    /// <summary>The organization a message is about: its workflow's correlation id (a participant instance) or the key's last part (the campaign's messages).</summary>
    private async Task<IReadOnlyDictionary<long, (string Id, string Name)>> OrganizationsAsync(IReadOnlyList<Row> rows,
        CancellationToken cancellationToken)
    {
        var instanceIds = rows.Select(r => r.InstanceId).OfType<string>().Distinct().ToList();
        var correlation = await db.WorkflowInstances.AsNoTracking().Where(i => instanceIds.Contains(i.Id) && i.CorrelationId != null)
            .ToDictionaryAsync(i => i.Id, i => i.CorrelationId!, cancellationToken);
        var candidates = rows.ToDictionary(r => r.Id, r => new[] { r.Key[(r.Key.LastIndexOf(':') + 1)..], r.InstanceId is null ? null : correlation.GetValueOrDefault(r.InstanceId) });
        var ids = candidates.Values.SelectMany(c => c).OfType<string>().Distinct().ToList();
        var names = await db.Organizations.AsNoTracking().Where(o => ids.Contains(o.Id)).ToDictionaryAsync(o => o.Id, o => o.Name, cancellationToken);
        var found = new Dictionary<long, (string, string)>();
        foreach (var (id, options) in candidates)
            if (options.FirstOrDefault(o => o is not null && names.ContainsKey(o)) is { } organization) found[id] = (organization, names[organization]);
        return found;
    }

    private static EmailSummary Summary(Row r, IReadOnlyDictionary<long, (string Id, string Name)> organizations)
    {
        var organization = organizations.TryGetValue(r.Id, out var o) ? o : default;
        return new EmailSummary(r.Id, r.Kind, [.. r.To.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)], r.Subject,
            EmailsApi.Status(r.Status), r.Attempts, r.LastError, r.CreatedAt, r.SentAt, r.InstanceId, organization.Id, organization.Name, r.ChannelId);
    }

    private static OutboxStatus Stored(EmailStatus status) => status switch
    {
        EmailStatus.Sent => OutboxStatus.Sent,
        EmailStatus.Failed => OutboxStatus.Failed,
        _ => OutboxStatus.Queued,
    };

    private sealed record Row(long Id, string Key, string Kind, string? InstanceId, string To, string Subject, OutboxStatus Status, int Attempts,
        string? LastError, DateTimeOffset CreatedAt, DateTimeOffset? SentAt, long? ChannelId);

    /// <summary>The <c>channel</c> filter's value for e-mails (rows without a robot channel).</summary>
    public const string EmailChannel = "email";
}

/// <summary>
/// The message log's filters, the query string of <c>GET /api/emails</c> and the log page's: <see cref="Kind"/>,
/// <see cref="Status"/> (sent, pending, failed), <see cref="Recipient"/> (part of an address), <see cref="Organization"/>
/// (the messages of its workflow and those the campaign sent to it), written between <see cref="From"/> and <see cref="To"/>,
/// <see cref="Channel"/> (<c>email</c> or a chat robot's id) and <see cref="Year"/> (the messages of that campaign year's workflows).
/// </summary>
public sealed record EmailLogFilter(
    [FromQuery(Name = "kind")] string? Kind = null,
    [FromQuery(Name = "status")] string? Status = null,
    [FromQuery(Name = "recipient")] string? Recipient = null,
    [FromQuery(Name = "organization")] string? Organization = null,
    [FromQuery(Name = "from")] DateTimeOffset? From = null,
    [FromQuery(Name = "to")] DateTimeOffset? To = null,
    [FromQuery(Name = "page")] int Page = 1,
    [FromQuery(Name = "pageSize")] int PageSize = 20,
    [FromQuery(Name = "channel")] string? Channel = null,
    [FromQuery(Name = "year")] int? Year = null);

/// <summary>The e-mail log's endpoints; the rules are <see cref="EmailLogService"/>'s.</summary>
public static class EmailsApi
{
    public const int MaxPageSize = 100;

    /// <summary>Kinds whose body carries a secret (a password-reset token or code).</summary>
    public static readonly IReadOnlySet<string> SecretKinds = new HashSet<string>(StringComparer.Ordinal) { "invitation", "password-reset", "account-confirmation" };

    public static RouteGroupBuilder MapEmailsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/emails").WithTags("E-mails");
        group.MapGet("/", List);
        group.MapGet("/{id:long}", Get).ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    /// <summary>Messages, newest first, filtered; see <see cref="EmailLogService.ListAsync"/>.</summary>
    public static async Task<Results<Ok<EmailPage>, ValidationProblem, ProblemHttpResult>> List(
        [AsParameters] EmailLogFilter filter, EmailLogService emails, CancellationToken cancellationToken) =>
        (await emails.ListAsync(filter, cancellationToken)).ToOk();

    public static async Task<Results<Ok<EmailDetail>, ValidationProblem, ProblemHttpResult>> Get(long id, EmailLogService emails, CancellationToken cancellationToken) =>
        (await emails.GetAsync(id, cancellationToken)).ToOk();

    public static EmailStatus Status(OutboxStatus stored) => stored switch
    {
        OutboxStatus.Sent => EmailStatus.Sent,
        OutboxStatus.Failed => EmailStatus.Failed,
        _ => EmailStatus.Pending,
    };
}

/// <summary>Delivery as people say it: sent, pending (queued or being retried), failed (retries exhausted).</summary>
public enum EmailStatus
{
    Sent,
    Pending,
    Failed,
}

public sealed record EmailPage(IReadOnlyList<EmailSummary> Items, int TotalCount, int PageNumber, int PageSize, IReadOnlyList<string> Kinds,
    IReadOnlyList<ChannelOption> Channels);

/// <summary>A chat robot the log can be filtered by.</summary>
public sealed record ChannelOption(long Id, string Name);

public sealed record EmailSummary(
    long Id, string Kind, IReadOnlyList<string> To, string Subject, EmailStatus Status, int Attempts, string? LastError,
    DateTimeOffset CreatedAt, DateTimeOffset? SentAt, string? InstanceId, string? OrganizationId, string? OrganizationName, long? ChannelId = null);

public sealed record EmailDetail(EmailSummary Email, string TextBody, bool BodyHidden, bool HasHtmlBody, IReadOnlyList<EmailAttachment> Attachments);

public sealed record EmailAttachment(string FileName, string ContentType, long Size);
