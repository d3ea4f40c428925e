using System.Globalization;
using System.Text.Json.Nodes;
using Manyi.Email;
using Manyi.Email.Invitations;
using Manyi.Engine.Activities;
using Manyi.Engine.Calendar;
using Manyi.Engine.Model;
using Manyi.Engine.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace Manyi.Campaign.Activities;

/// <summary>
/// Sends a notice (the e-mail kind <c>notice</c>, Chinese first, then English) to the contacts of each organization
/// given: one message per organization, to all its contacts, with the organization's name in the model as
/// <c>organization</c> and, optionally, an event as an .ics invitation. An id with no organization, or an
/// organization without a usable address, is skipped and named in the journal and in <c>Skipped</c>; it is no fault.
/// The messages are committed with the burst; their keys make a burst that runs again send nothing twice.
/// </summary>
[Activity("Manyi.NotifyOrganizations", "Campaign",
    "E-mails a notice to the contacts of each organization given (one message per organization, optionally with a calendar invitation); unknown organizations and organizations without contacts are skipped and listed.",
    Outcomes = [Done], Outputs = ["Sent", "Skipped"])]
public sealed class NotifyOrganizations : Activity
{
    /// <summary>The template kind and outbox kind of these messages.</summary>
    public const string Kind = "notice";

    [Input(Description = "The organizations (ids) to notify, e.g. [\"mobile-zhengzhou\", \"unicom-kaifeng\"].", Required = true)]
    public Input<string[]> Organizations { get; set; } = new([]);

    [Input(Description = "The notice's title in Chinese, e.g. 关于开展2025年用户满意服务组织建设活动的通知.", Required = true)]
    public Input<string> Title { get; set; } = new("");

    [Input(Description = "The notice's text in Chinese (plain text; line breaks are kept).", Required = true)]
    public Input<string> Body { get; set; } = new("");

    [Input(Description = "The title in English; empty shows the Chinese title in the English part.")]
    public Input<string> TitleEn { get; set; } = new("");

    [Input(Description = "The text in English; empty leaves it out.")]
    public Input<string> BodyEn { get; set; } = new("");

    [Input(Description = "The deadline the notice states: an instant with its offset (2025-04-30T18:00:00+08:00), {\"at\"}, {\"after\", \"offset\"} or {\"workingDaysAfter\", \"days\", \"time\"}; shown in Beijing time.")]
    public Input<JsonNode?> Deadline { get; set; } = new((JsonNode?)null);

    [Input(Description = "A link to the details (http or https).")]
    public Input<string> Link { get; set; } = new("");

    [Input(Description = "An event to attach as a calendar invitation (.ics): {\"title\", \"location\", \"start\", \"end\"}, the times instants with their offset, e.g. 2025-05-14T08:30:00+08:00.")]
    public Input<JsonNode?> AttachCalendar { get; set; } = new((JsonNode?)null);

    [Input(Description = "Addresses that also receive each organization's message, e.g. the secretariat's when a stage closes on an organization.")]
    public Input<string[]> CopyTo { get; set; } = new([]);

    public override async ValueTask<ActivityStep> ExecuteAsync(ActivityContext context)
    {
        var ids = (await context.EvaluateAsync(Organizations) ?? [])
            .Where(id => !string.IsNullOrWhiteSpace(id)).Select(id => id.Trim())
            .Distinct(StringComparer.Ordinal).ToList();
        var title = await context.EvaluateAsync(Title);
        if (string.IsNullOrWhiteSpace(title)) throw new InvalidOperationException("Input 'title': the notice has no title.");
        var body = await context.EvaluateAsync(Body);
        if (string.IsNullOrWhiteSpace(body)) throw new InvalidOperationException("Input 'body': the notice has no text.");
        var calendar = context.Services.GetRequiredService<BusinessCalendar>();
        var deadline = CampaignMail.Json(await context.EvaluateAsync(Deadline), "deadline") is { } spec ? DueDate.Resolve(spec, calendar) : (DateTimeOffset?)null;
        var invitation = CampaignMail.Json(await context.EvaluateAsync(AttachCalendar), "attachCalendar") is { } @event
            ? Invitation(@event, context)
            : null;

        var model = new JsonObject { ["title"] = title, ["body"] = body };
        if (await context.EvaluateAsync(TitleEn) is { Length: > 0 } titleEn && !string.IsNullOrWhiteSpace(titleEn)) model["titleEn"] = titleEn;
        if (await context.EvaluateAsync(BodyEn) is { Length: > 0 } bodyEn && !string.IsNullOrWhiteSpace(bodyEn)) model["bodyEn"] = bodyEn;
        if (deadline is { } due) model["deadline"] = calendar.ToLocal(due).ToString("O", CultureInfo.InvariantCulture);
        if (await context.EvaluateAsync(Link) is { Length: > 0 } link && !string.IsNullOrWhiteSpace(link)) model["link"] = link.Trim();

        string[] copyTo = [.. (await context.EvaluateAsync(CopyTo) ?? []).Where(a => !string.IsNullOrWhiteSpace(a)).Select(a => a.Trim()).Distinct()];
        var templates = context.Services.GetRequiredService<IEmailTemplates>();
        var organizations = await CampaignMail.LoadAsync(context, ids);
        var skipped = new List<(string OrganizationId, string Reason)>();
        var skippedLines = new List<JsonObject>();
        var sent = 0;
        foreach (var id in ids)
        {
            if (!organizations.TryGetValue(id, out var organization))
            {
                skipped.Add((id, CampaignMail.NoSuchOrganization));
                skippedLines.Add(CampaignMail.NoRecipientLine(null, id, null));
                continue;
            }
            // The organization's group robots hear of the notice even when it has no usable mailbox.
            var line = (JsonObject)model.DeepClone();
            line.Remove("bodyEn");
            await context.NotifyRobotsAsync(new RobotNotice(CampaignMail.Key(context, Kind, id), Kind, line) { OrganizationIds = [id] });
            var (to, invalid) = CampaignMail.Recipients(organization);
            if (CampaignMail.NoRecipientReason(to, invalid) is { } reason)
            {
                skipped.Add((id, reason));
                skippedLines.Add(CampaignMail.NoRecipientLine(organization.Name, id, invalid));
                continue;
            }
            if (invalid.Count > 0)
                context.Log(CampaignJournalKeys.InvalidAddressesLeftOut, new JsonObject
                {
                    ["organization"] = organization.Name, ["organizationId"] = id, ["addresses"] = CampaignMail.Addresses(invalid),
                });

            var personal = (JsonObject)model.DeepClone();
            personal["organization"] = organization.Name;
            var rendered = await templates.RenderAsync(Kind, personal, context.CancellationToken);
            context.SendEmail(new OutgoingEmail(CampaignMail.Key(context, Kind, id), Kind, [.. to.Select(m => m.ToString())],
                rendered.Subject, rendered.TextBody, rendered.HtmlBody)
            {
                Attachments = invitation is null
                    ? []
                    : [(invitation with { Attendees = [.. to.Select(m => m.Address)] }).ToAttachment(context.Now)],
            });
            // The copy names the organization (the template's greeting) and is keyed apart, so a retry never sends it twice.
            if (copyTo.Length > 0)
                context.SendEmail(new OutgoingEmail(CampaignMail.Key(context, Kind, id) + ":copy", Kind, copyTo, rendered.Subject, rendered.TextBody, rendered.HtmlBody));
            sent++;
        }

        foreach (var line in skippedLines) context.Log(CampaignJournalKeys.NoticeSkipped, line);
        context.Log(CampaignJournalKeys.NoticeQueued, new JsonObject { ["title"] = title, ["sent"] = sent, ["skipped"] = skipped.Count });
        context.SetOutput("Skipped", CampaignMail.ToJson(skipped));
        context.SetOutput("Sent", sent);
        return ActivityStep.Done;
    }

    public override IEnumerable<InputProblem> CheckInputs(DateTimeOffset now)
    {
        if (Literal(Deadline) is { } deadline)
        {
            string? problem = null;
            try
            {
                // Literal deadlines in working days need no holiday data to be checked for their form.
                DueDate.Resolve(CampaignMail.Json(deadline, "deadline")!, new BusinessCalendar([]));
            }
            catch (FormatException ex)
            {
                problem = ex.Message;
            }
            if (problem is not null) yield return new InputProblem("deadline", problem);
        }
        if (Literal(AttachCalendar) is { } @event)
        {
            string? problem = null;
            try
            {
                var (_, _, start, end) = ReadEvent(CampaignMail.Json(@event, "attachCalendar"));
                if (end <= start) problem = $"the event ends ({end:yyyy-MM-dd HH:mm zzz}) before it starts ({start:yyyy-MM-dd HH:mm zzz})";
            }
            catch (FormatException ex)
            {
                problem = ex.Message;
            }
            if (problem is not null) yield return new InputProblem("attachCalendar", problem);
        }
    }

    /// <summary>
    /// The invitation every organization gets, with its own contacts as attendees: one UID per instance and activity,
    /// so that a calendar that receives it twice keeps one event.
    /// </summary>
    private static CalendarInvitation Invitation(JsonNode @event, ActivityContext context)
    {
        var (title, location, start, end) = ReadEvent(@event);
        if (end <= start)
            throw new InvalidOperationException($"Input 'attachCalendar': the event ends ({end:O}) before it starts ({start:O}).");
        var organizer = context.Services.GetService<SmtpOptions>() is { } smtp && EmailAddresses.TryParse(smtp.From, out var from) ? from : null;
        return new CalendarInvitation($"{context.Instance.Id}.{CampaignMail.ActivityId(context)}@manyi", title, start, end)
        {
            Location = location,
            Organizer = organizer?.Address,
            OrganizerName = string.IsNullOrWhiteSpace(organizer?.Name) ? null : organizer.Name,
        };
    }

    /// <summary>Reads <c>{"title", "location", "start", "end"}</c>; throws <see cref="FormatException"/> naming what is wrong.</summary>
    private static (string Title, string? Location, DateTimeOffset Start, DateTimeOffset End) ReadEvent(JsonNode? node)
    {
        if (node is not JsonObject o)
            throw new FormatException("Input 'attachCalendar' must be an object {\"title\", \"location\", \"start\", \"end\"}.");
        var title = Text(o, "title");
        if (string.IsNullOrWhiteSpace(title)) throw new FormatException("Input 'attachCalendar': 'title' is required.");
        return (title.Trim(), Text(o, "location") is { Length: > 0 } location && !string.IsNullOrWhiteSpace(location) ? location.Trim() : null,
            Instant(o, "start"), Instant(o, "end"));
    }

    private static DateTimeOffset Instant(JsonObject o, string field)
    {
        var text = Text(o, field);
        return text is not null && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant) && HasOffset(text)
            ? instant
            : throw new FormatException($"Input 'attachCalendar': '{field}' must be an instant with its offset, e.g. 2025-05-14T08:30:00+08:00 (got '{text}').");
    }

    private static bool HasOffset(string text) => text.EndsWith('Z') || text.LastIndexOfAny(['+', '-']) > 10;

    private static string? Text(JsonObject o, string field) => o[field] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => throw new FormatException($"Input 'attachCalendar': '{field}' must be a string."),
    };

    /// <summary>The literal's JSON; null for an expression (known only when the activity runs) or an empty literal.</summary>
    private static JsonNode? Literal(Input<JsonNode?> input) =>
        input.Expression.Type == Expression.Literal && !string.IsNullOrWhiteSpace(input.Expression.Text) ? input.Expression.Value : null;
}
