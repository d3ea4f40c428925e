using Manyi.Persistence.Records;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Manyi.Web.Infrastructure;

public static class CorrelationIds
{
    /// <summary>A 400 for a correlation id longer than the column that stores it (PostgreSQL would refuse the save with a 500), else null.</summary>
    public static ValidationProblem? Check(string? correlationId) =>
        correlationId is { Length: > WorkflowInstanceRecord.MaxCorrelationIdLength }
            ? TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["correlationId"] = [$"The correlation id has {correlationId.Length} characters; at most {WorkflowInstanceRecord.MaxCorrelationIdLength} are allowed."],
            })
            : null;
}
