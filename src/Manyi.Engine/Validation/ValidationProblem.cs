namespace Manyi.Engine.Validation;

public enum Severity
{
    Error,
    Warning,
}

/// <summary>
/// One problem with a definition, pinned to the activity (and input) it concerns when there is one; for an activity
/// nested in containers, <see cref="Path"/> names the containers around it (ids, outermost first).
/// </summary>
public sealed record ValidationProblem(Severity Severity, string Message, string? ActivityId = null, string? ActivityType = null, string? Input = null)
{
    public IReadOnlyList<string> Path { get; init; } = [];

    public override string ToString() =>
        (ActivityId is null ? "" : $"Activity '{ActivityId}'{(ActivityType is null ? "" : $" ({ActivityType})")}{(Path.Count > 1 ? $" in {string.Join(" › ", Path)}" : "")}: ")
        + (Input is null ? "" : $"input '{Input}' ") + Message;
}

/// <summary>A definition that cannot run; <see cref="Problems"/> lists every error (and warning) found.</summary>
public sealed class WorkflowValidationException(IReadOnlyList<ValidationProblem> problems)
    : Exception("The workflow is not valid: " + string.Join("; ", problems.Where(p => p.Severity == Severity.Error)))
{
    public IReadOnlyList<ValidationProblem> Problems { get; } = problems;
}
