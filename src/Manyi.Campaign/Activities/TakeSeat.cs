using System.Globalization;
using System.Text.Json.Nodes;
using Manyi.Campaign.Training;
using Manyi.Engine.Activities;
using Manyi.Engine.Runtime;
using Manyi.Persistence.Records;
using Microsoft.Extensions.DependencyInjection;

namespace Manyi.Campaign.Activities;

/// <summary>
/// Takes an organization's training seats in the order of receipt (<see cref="SeatLedger"/>): ends <c>Confirmed</c>
/// while its session has seats for all its attendees and nobody waits before it, <c>WaitListed</c> otherwise, with its
/// place on the wait-list in the output <c>Place</c>. The session (the settings' object: name, place, dates) is the
/// result, for the texts that follow. Run again (a retried burst), it gives the same answer.
/// </summary>
[Activity("Manyi.TakeSeat", "Campaign",
    "Takes an organization's seats in a training session in order of receipt; ends Confirmed, or WaitListed with its place on the wait-list.",
    Outcomes = [Confirmed, WaitListed], Outputs = ["Result", "Place"])]
public sealed class TakeSeat : Activity
{
    public const string Confirmed = "Confirmed";
    public const string WaitListed = "WaitListed";

    [Input(Description = "The year's settings (campaigns/2025.json's campaign): its year and training.sessions.", Required = true)]
    public Input<JsonNode?> Campaign { get; set; } = new((JsonNode?)null);

    [Input(Description = "The organization's id.", Required = true)]
    public Input<string> Organization { get; set; } = new("");

    [Input(Description = "The id of the session signed up for (training.sessions[].id); empty means the first session.")]
    public Input<string> Session { get; set; } = new("");

    [Input(Description = "How many trainees the sign-up is for: the seats it takes.", Required = true)]
    public Input<int> Attendees { get; set; } = new(0);

    [Input(Description = "When the sign-up arrived (the sign-up task's completion), with its offset; empty means now.")]
    public Input<JsonNode?> ReceivedAt { get; set; } = new((JsonNode?)null);

    [Input(Description = "The variable that receives the session (the settings' object).")]
    public OutputTarget? Result { get; set; }

    public override async ValueTask<ActivityStep> ExecuteAsync(ActivityContext context)
    {
        var campaign = CampaignMail.Json(await context.EvaluateAsync(Campaign), "campaign");
        var year = Year(campaign);
        var organization = (await context.EvaluateAsync(Organization))?.Trim();
        if (string.IsNullOrEmpty(organization)) throw new InvalidOperationException("Input 'organization': the organization is required.");
        var sessions = TrainingSession.AllIn(campaign);
        var wanted = (await context.EvaluateAsync(Session))?.Trim();
        var session = string.IsNullOrEmpty(wanted) ? sessions[0]
            : sessions.FirstOrDefault(s => s.Id == wanted) ?? throw new InvalidOperationException($"Input 'session': no training session '{wanted}'.");
        var attendees = await context.EvaluateAsync(Attendees);
        if (attendees < 1) throw new InvalidOperationException($"Input 'attendees': {attendees} is not a number of trainees (at least 1).");
        var receivedAt = Instant(await context.EvaluateAsync(ReceivedAt)) ?? context.Now;

        // The ledger commits in a transaction of its own, before the burst does; run again, it finds the sign-up and
        // answers the same, so a retried burst neither takes seats twice nor changes the answer.
        await using var scope = context.Services.CreateAsyncScope();
        var standing = await scope.ServiceProvider.GetRequiredService<SeatLedger>()
            .TakeAsync(year, organization, context.Instance.Id, session, attendees, receivedAt, context.Now, context.CancellationToken);

        OutputTarget.Write(context, Result, TrainingSession.JsonIn(campaign, standing.SessionId));
        context.SetOutput("Place", standing.Place);
        var names = await CampaignMail.LoadAsync(context, [organization]);
        var line = new JsonObject
        {
            ["organization"] = names.GetValueOrDefault(organization)?.Name,
            ["organizationId"] = organization,
            ["attendees"] = attendees,
            ["session"] = CampaignMail.SessionName(sessions.FirstOrDefault(s => s.Id == standing.SessionId), standing.SessionId),
            ["receivedAt"] = receivedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        };
        if (standing.Status != SeatStatus.Confirmed) line["place"] = standing.Place;
        context.Log(standing.Status == SeatStatus.Confirmed ? CampaignJournalKeys.SeatConfirmed : CampaignJournalKeys.SeatWaitListed, line);
        return ActivityStep.CompleteWith(standing.Status == SeatStatus.Confirmed ? Confirmed : WaitListed);
    }

    internal static int Year(JsonNode? campaign) =>
        campaign?["year"] is JsonValue v && v.TryGetValue<int>(out var year) && year is >= 2000 and <= 2100
            ? year : throw new InvalidOperationException("Input 'campaign': the settings have no campaign year.");

    private static DateTimeOffset? Instant(JsonNode? value) => value switch
    {
        null => null,
        JsonValue v when v.TryGetValue<DateTimeOffset>(out var at) => at,
        JsonValue v when v.TryGetValue<string>(out var text) && string.IsNullOrWhiteSpace(text) => null,
        JsonValue v when v.TryGetValue<string>(out var text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at) => at,
        _ => throw new InvalidOperationException($"Input 'receivedAt': {value.ToJsonString()} is not an instant with its offset."),
    };
}
