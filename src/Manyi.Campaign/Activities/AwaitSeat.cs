using System.Text.Json.Nodes;
using Manyi.Campaign.Training;
using Manyi.Engine.Activities;
using Manyi.Engine.Runtime;
using Manyi.Persistence.Records;

namespace Manyi.Campaign.Activities;

/// <summary>
/// Follows an organization's training seat until an instant: ends <c>Confirmed</c> when a wait-listed sign-up moves up
/// (a seat freed, or another session was offered; the session is the result), <c>Withdrawn</c> when the sign-up is
/// withdrawn, and <c>TimeReached</c> at the instant (for a wait-listed sign-up, the last session's start: no seat this
/// year; for a confirmed one, its session's end: the course is over). <see cref="TrainingSeats"/> resumes it.
/// </summary>
[Activity("Manyi.AwaitSeat", "Campaign",
    "Waits for news of an organization's training seat until an instant: ends Confirmed (moved up from the wait-list), Withdrawn, or TimeReached.",
    Outcomes = [TakeSeat.Confirmed, Withdrawn, TimeReached], Outputs = ["Result"])]
public sealed class AwaitSeat : Activity
{
    public const string BookmarkName = "Manyi.Seat";
    public const string Withdrawn = "Withdrawn";
    public const string TimeReached = "TimeReached";
    public const string TimerName = "Manyi.SeatUntil";

    [Input(Description = "The year's settings (campaigns/2025.json's campaign): its training.sessions.", Required = true)]
    public Input<JsonNode?> Campaign { get; set; } = new((JsonNode?)null);

    [Input(Description = "The organization's id.", Required = true)]
    public Input<string> Organization { get; set; } = new("");

    [Input(Description = "Until when to wait, with its offset, e.g. the session's end.", Required = true)]
    public Input<DateTimeOffset> Until { get; set; } = new(DateTimeOffset.MinValue);

    [Input(Description = "The variable that receives the session when the seat is confirmed (the settings' object).")]
    public OutputTarget? Result { get; set; }

    public override async ValueTask<ActivityStep> ExecuteAsync(ActivityContext context)
    {
        var organization = (await context.EvaluateAsync(Organization))?.Trim();
        if (string.IsNullOrEmpty(organization)) throw new InvalidOperationException("Input 'organization': the organization is required.");
        var until = await context.EvaluateAsync(Until);
        if (until <= context.Now) return ActivityStep.CompleteWith(TimeReached);
        return ActivityStep.Suspend([
            new BookmarkRequest(BookmarkName, organization),
            new BookmarkRequest(TimerName, null, ResumeAt: until.ToUniversalTime()),
        ]);
    }

    public override async ValueTask<ActivityStep> ResumeAsync(ActivityContext context, ResumeContext resume)
    {
        if (resume.Bookmark.Name == TimerName) return ActivityStep.CompleteWith(TimeReached);
        var status = (string?)resume.Stimulus.Input.GetValueOrDefault("status");
        if (status == nameof(SeatStatus.Withdrawn))
        {
            context.Log(CampaignJournalKeys.SignUpWithdrawn, []);
            return ActivityStep.CompleteWith(Withdrawn);
        }
        if (status != nameof(SeatStatus.Confirmed))
            throw new InvalidOperationException($"A seat stimulus came with status '{status}'; Confirmed or Withdrawn was expected.");
        var sessionId = (string?)resume.Stimulus.Input.GetValueOrDefault("session");
        var campaign = CampaignMail.Json(await context.EvaluateAsync(Campaign), "campaign");
        var session = sessionId is null ? null : TrainingSession.JsonIn(campaign, sessionId);
        if (session is null) throw new InvalidOperationException($"The seat was confirmed in session '{sessionId}', which the settings do not have.");
        OutputTarget.Write(context, Result, session);
        context.Log(CampaignJournalKeys.SeatMovedUp, new JsonObject
        {
            ["session"] = CampaignMail.SessionName(TrainingSession.AllIn(campaign).FirstOrDefault(s => s.Id == sessionId), sessionId),
        });
        return ActivityStep.CompleteWith(TakeSeat.Confirmed);
    }
}
