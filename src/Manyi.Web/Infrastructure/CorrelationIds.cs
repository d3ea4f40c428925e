using Manyi.Persistence.Records;
using Manyi.Web.Infrastructure.Services;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Manyi.Web.Infrastructure;

public static class CorrelationIds
{
    /// <summary>A 400 for a correlation id longer than the column that stores it (PostgreSQL would refuse the save with a 500), else null.</summary>
    public static ValidationProblem? Check(string? correlationId) =>
        Problem(correlationId) is { } invalid ? TypedResults.ValidationProblem(invalid.Errors) : null;

    /// <summary>The same check for an application service: the problem keyed <c>correlationId</c>, else null.</summary>
    public static Failure.Invalid? Problem(string? correlationId) =>
        correlationId is { Length: > WorkflowInstanceRecord.MaxCorrelationIdLength }
            ? new Failure.Invalid("correlationId",
                $"The correlation id has {correlationId.Length} characters; at most {WorkflowInstanceRecord.MaxCorrelationIdLength} are allowed.")
            : null;
}
