using System.Text.Json.Nodes;
using Manyi.Campaign.Certificates;
using Manyi.Engine.Activities;
using Manyi.Engine.Model;
using Manyi.Engine.Runtime;
using Manyi.Persistence;
using Manyi.Persistence.Audit;
using Manyi.Persistence.Records;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Manyi.Campaign.Activities;

/// <summary>
/// Publishes the review's results: stores each rated organization's rating as its last rating, e-mails each
/// organization its result (the e-mail kind <c>rating</c>, Chinese first, then English), and gives the published list
/// (AAA, AA, A, then not rated; within a rating by operator, then city) and the count of each rating. Each rated
/// organization gets a certificate (a PDF in the file store, see <see cref="CertifyAsync"/>). Results are
/// checked whole before anything is written: one rating that is not A, AA, AAA or not rated faults the activity and
/// changes nothing. An id with no organization is named in the journal and skipped.
/// </summary>
[Activity("Manyi.PublishRatings", "Campaign",
    "Publishes the ratings (A, AA, AAA or not rated): stores each organization's last rating, e-mails each its result, writes a certificate (PDF) per rated organization, and outputs the published list, the counts and the certificates.",
    Outcomes = [Done], Outputs = ["Ratings", "Counts", "Certificates"])]
public sealed class PublishRatings : Activity
{
    /// <summary>The template kind and outbox kind of these messages.</summary>
    public const string Kind = "rating";

    /// <summary>The audit trail's action for a stored rating that changed.</summary>
    public const string AuditAction = AuditActions.RatingPublished;

    public const string NotRated = "NotRated";

    /// <summary>The ratings, best first: the order of the published list.</summary>
    public static readonly IReadOnlyList<string> BestFirst = ["AAA", "AA", "A"];

    [Input(Description = "The results, keyed by organization id: {\"mobile-zhengzhou\": {\"rating\": \"AAA\", \"notes\": \"…\"}}; rating A, AA, AAA, or NotRated/null for not rated.", Required = true)]
    public Input<JsonNode?> Results { get; set; } = new((JsonNode?)null);

    [Input(Description = "The campaign year the ratings are for, e.g. 2025.", Required = true)]
    public Input<int> Year { get; set; } = new(0);

    public override async ValueTask<ActivityStep> ExecuteAsync(ActivityContext context)
    {
        var year = await context.EvaluateAsync(Year);
        if (year is < 2000 or > 2100) throw new InvalidOperationException($"Input 'year': {year} is not a campaign year.");
        var results = Read(CampaignMail.Json(await context.EvaluateAsync(Results), "results"));

        var organizations = await CampaignMail.LoadAsync(context, [.. results.Select(r => r.OrganizationId)]);
        var unknown = results.Where(r => !organizations.ContainsKey(r.OrganizationId)).Select(r => r.OrganizationId).ToList();
        if (unknown.Count > 0)
            context.Log(CampaignJournalKeys.RatingsUnknownOrganizations, new JsonObject { ["count"] = unknown.Count, ["organizationIds"] = CampaignMail.Addresses(unknown) });
        var published = results.Where(r => organizations.ContainsKey(r.OrganizationId))
            .Select(r => (Result: r, Organization: organizations[r.OrganizationId]))
            .OrderBy(p => Rank(p.Result.Rating))
            .ThenBy(p => ListOrder.OperatorRank(p.Organization.Operator)).ThenBy(p => p.Organization.Operator, StringComparer.Ordinal)
            .ThenBy(p => ListOrder.CityRank(p.Organization.City)).ThenBy(p => p.Organization.City, StringComparer.Ordinal)
            .ThenBy(p => p.Organization.Id, StringComparer.Ordinal)
            .ToList();

        var changed = await StoreAsync(context, year, [.. published.Where(p => p.Result.Rating is not null).Select(p => (p.Organization, p.Result.Rating!))]);
        context.Log(CampaignJournalKeys.RatingsStored, new JsonObject
        {
            ["year"] = year, ["changed"] = changed, ["unchanged"] = published.Count(p => p.Result.Rating is not null) - changed,
        });
        var certificates = await CertifyAsync(context, year, published);

        var templates = context.Services.GetRequiredService<IEmailTemplates>();
        var mailed = 0;
        foreach (var (result, organization) in published)
        {
            var (to, invalid) = CampaignMail.Recipients(organization);
            if (CampaignMail.NoRecipientReason(to, invalid) is { } reason)
            {
                context.Log(CampaignJournalKeys.RatingNotEmailed, CampaignMail.NoRecipientLine(organization.Name, organization.Id, invalid));
                continue;
            }
            if (invalid.Count > 0)
                context.Log(CampaignJournalKeys.InvalidAddressesLeftOut, new JsonObject
                {
                    ["organization"] = organization.Name, ["organizationId"] = organization.Id, ["addresses"] = CampaignMail.Addresses(invalid),
                });
            var model = new JsonObject
            {
                ["organization"] = organization.Name,
                ["year"] = year,
                ["rating"] = result.Rating,
                ["notes"] = result.Notes,
            };
            var rendered = await templates.RenderAsync(Kind, model, context.CancellationToken);
            context.SendEmail(new OutgoingEmail(CampaignMail.Key(context, Kind, organization.Id), Kind, [.. to.Select(m => m.ToString())],
                rendered.Subject, rendered.TextBody, rendered.HtmlBody));
            mailed++;
        }
        context.Log(CampaignJournalKeys.RatingsEmailed, new JsonObject { ["count"] = mailed });

        context.SetOutput("Ratings", new JsonArray([.. published.Select(p => (JsonNode)new JsonObject
        {
            ["organizationId"] = p.Organization.Id,
            ["name"] = p.Organization.Name,
            ["operator"] = p.Organization.Operator,
            ["city"] = p.Organization.City,
            ["rating"] = p.Result.Rating ?? NotRated,
        })]));
        var counts = new JsonObject();
        foreach (var rating in BestFirst) counts[rating] = published.Count(p => p.Result.Rating == rating);
        counts[NotRated] = published.Count(p => p.Result.Rating is null);
        context.SetOutput("Counts", counts);
        context.SetOutput("Certificates", certificates);
        return ActivityStep.Done;
    }

    /// <summary>
    /// Stores the ratings as the organizations' last ratings, in a transaction of its own, and audits each change.
    /// </summary>
    /// <remarks>
    /// This write is not part of the burst's transaction (which holds only the engine's state, journal and outbox) and
    /// commits now, before the burst does. The burst may therefore run again after it: retried after a concurrency
    /// conflict, retried from an incident, or reached again through a loop. So the write is idempotent: an organization
    /// is updated (and audited) only when its stored rating differs from the one published, and running it again finds
    /// nothing to change; the e-mails, keyed per instance, activity and organization, are not sent twice either. It
    /// uses a scope of its own so that it neither saves nor joins anything the caller's DbContext holds.
    /// </remarks>
    private static async Task<int> StoreAsync(ActivityContext context, int year, IReadOnlyList<(OrganizationRecord Organization, string Rating)> ratings)
    {
        if (ratings.Count == 0) return 0;
        var ct = context.CancellationToken;
        await using var scope = context.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ManyiDbContext>();
        var audit = scope.ServiceProvider.GetRequiredService<AuditTrail>();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // A few statements whatever the number of organizations: their ratings read at once, then one update per rating
        // for those whose stored rating differs (a year publishes thousands).
        var ids = ratings.Select(r => r.Organization.Id).ToList();
        var stored = await db.Organizations.Where(o => ids.Contains(o.Id)).Select(o => new { o.Id, o.LastRating }).ToDictionaryAsync(o => o.Id, o => o.LastRating, ct);
        var changes = ratings.Where(r => stored.TryGetValue(r.Organization.Id, out var before) && before != r.Rating).ToList();
        foreach (var group in changes.GroupBy(c => c.Rating))
        {
            var rating = group.Key;
            foreach (var chunk in group.Select(c => c.Organization.Id).Chunk(1_000))
                await db.Organizations.Where(o => chunk.Contains(o.Id) && (o.LastRating == null || o.LastRating != rating))
                    .ExecuteUpdateAsync(s => s.SetProperty(o => o.LastRating, rating).SetProperty(o => o.UpdatedAt, context.Now), ct);
        }
        foreach (var (organization, rating) in changes)
            audit.Record(AuditAction, AuditSubjects.Organization, organization.Id, new
            {
                before = stored[organization.Id],
                after = rating,
                year,
                workflowInstanceId = context.Instance.Id,
                activityId = context.Node.Id,
            });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return changes.Count;
    }

    /// <summary>
    /// Writes a certificate for each rated organization, numbered in the published list's order
    /// (<c>HNCA-2025-AAA-0001</c>, <c>HNCA-2025-AA-0002</c>, …: one sequence for the year, so the same results give the
    /// same numbers), dated the day of publication in Asia/Shanghai, to <c>certificates/&lt;year&gt;/&lt;id&gt;.pdf</c> in
    /// the file store; removes the certificate an organization published as not rated may have from an earlier run.
    /// Returns <c>[{organizationId, number, path}]</c>, the path relative to the file store's folder.
    /// </summary>
    /// <remarks>
    /// Like <see cref="StoreAsync"/>, this is done before the burst commits and may be done again: a file is replaced
    /// whole (written beside it, then moved over it), so running it again leaves the same certificates. Without a
    /// Chinese font they are written in Latin text only and the journal says why (see <see cref="CertificateFonts"/>);
    /// a failure to write one (a full disk, say) faults the activity, and retrying the incident writes them all again.
    /// </remarks>
    private static async Task<JsonArray> CertifyAsync(ActivityContext context, int year, IReadOnlyList<(RatingResult Result, OrganizationRecord Organization)> published)
    {
        var renderer = context.Services.GetRequiredService<CertificateRenderer>();
        var store = context.Services.GetRequiredService<CertificateStore>();
        var publishedOn = Certificate.DayOf(context.Now);
        var certificates = new JsonArray();
        var sequence = 0;
        foreach (var (result, organization) in published)
        {
            if (!CertificateStore.IsUsableId(organization.Id))
            {
                if (result.Rating is null) continue;
                sequence++; // its number is not given to another
                context.Log(CampaignJournalKeys.CertificateUnnamable, new JsonObject { ["organization"] = organization.Name, ["organizationId"] = organization.Id });
                continue;
            }
            if (result.Rating is not { } rating)
            {
                if (store.Delete(year, organization.Id))
                    context.Log(CampaignJournalKeys.CertificateRemoved, new JsonObject
                    {
                        ["year"] = year, ["organization"] = organization.Name, ["organizationId"] = organization.Id,
                    });
                continue;
            }
            var number = Certificate.NumberOf(year, rating, ++sequence);
            var pdf = renderer.Render(new Certificate(organization.Id, organization.Name, rating, year, number, publishedOn));
            var path = await store.SaveAsync(year, organization.Id, pdf, context.CancellationToken);
            certificates.Add(new JsonObject { ["organizationId"] = organization.Id, ["number"] = number, ["path"] = path });
        }
        if (certificates.Count > 0 && renderer.Fonts is { Chinese: false, Missing: var missing })
            context.Log(CampaignJournalKeys.CertificatesLatinOnly, new JsonObject { ["missing"] = missing });
        context.Log(CampaignJournalKeys.CertificatesWritten, new JsonObject { ["year"] = year, ["count"] = certificates.Count });
        return certificates;
    }

    /// <summary>Reads and checks every result; throws naming each one that is wrong, before anything is written.</summary>
    internal static IReadOnlyList<RatingResult> Read(JsonNode? node)
    {
        if (node is not JsonObject results)
            throw new InvalidOperationException("Input 'results' must be an object keyed by organization id, e.g. {\"mobile-zhengzhou\": {\"rating\": \"AAA\"}}.");
        var list = new List<RatingResult>();
        var problems = new List<string>();
        foreach (var (id, value) in results)
        {
            if (string.IsNullOrWhiteSpace(id))
            {
                problems.Add("an organization id is empty");
                continue;
            }
            JsonNode? rating;
            string? notes = null;
            switch (value)
            {
                case JsonObject o:
                    rating = o["rating"];
                    notes = o["notes"] switch
                    {
                        null => null,
                        JsonValue v when v.TryGetValue<string>(out var text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim(),
                        var other => other.ToJsonString(),
                    };
                    break;
                case null:
                case JsonValue:
                    rating = value;
                    break;
                default:
                    problems.Add($"'{id}': the result must be an object {{\"rating\", \"notes\"}}");
                    continue;
            }
            if (ParseRating(rating, out var parsed)) list.Add(new RatingResult(id.Trim(), parsed, notes));
            else problems.Add($"'{id}': the rating {rating?.ToJsonString()} is not A, AA, AAA or NotRated");
        }
        if (problems.Count > 0)
            throw new InvalidOperationException($"Input 'results': {string.Join("; ", problems)}. Nothing was published.");
        foreach (var duplicate in list.GroupBy(r => r.OrganizationId).Where(g => g.Count() > 1))
            throw new InvalidOperationException($"Input 'results': '{duplicate.Key}' is listed more than once. Nothing was published.");
        return list;
    }

    /// <summary>A, AA or AAA (any case, trimmed); null for not rated (null, empty, NotRated, 未获评级).</summary>
    private static bool ParseRating(JsonNode? node, out string? rating)
    {
        rating = null;
        if (node is null) return true;
        if (node is not JsonValue v || !v.TryGetValue<string>(out var text)) return false;
        var trimmed = text.Trim();
        if (trimmed.Length == 0 || trimmed.Equals(NotRated, StringComparison.OrdinalIgnoreCase)
            || trimmed.Equals("Not rated", StringComparison.OrdinalIgnoreCase) || trimmed == "未获评级")
            return true;
        rating = BestFirst.FirstOrDefault(r => r.Equals(trimmed, StringComparison.OrdinalIgnoreCase));
        return rating is not null;
    }

    private static int Rank(string? rating)
    {
        for (var i = 0; i < BestFirst.Count; i++)
            if (BestFirst[i] == rating) return i;
        return BestFirst.Count;
    }

    internal sealed record RatingResult(string OrganizationId, string? Rating, string? Notes);
}
