namespace Manyi.Persistence.Records;

/// <summary>
/// A rehearsal of a campaign year (the web host's <c>Features/Rehearsals</c>, its only writer): what was asked — the
/// definition versions, the year's settings and the scenario — and what the sandboxed year came to, both as JSON, so
/// that a run can be reopened and two runs compared. Nothing of the run itself is kept elsewhere.
/// </summary>
public sealed class RehearsalRecord
{
    public required string Id { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public required string CreatedByUserId { get; set; }
    public string? CreatedByName { get; set; }

    /// <summary>The year rehearsed (from the settings), for the list of runs.</summary>
    public int Year { get; set; }

    /// <summary>The request as JSON: <c>{"definitions", "settings", "scenario"}</c>.</summary>
    public required string Request { get; set; }

    /// <summary>The result as JSON: findings, deadlines, messages, ends by organization.</summary>
    public required string Result { get; set; }

    /// <summary>How long the sandboxed year took to run, in milliseconds.</summary>
    public long ElapsedMilliseconds { get; set; }
}
