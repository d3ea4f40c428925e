using Manyi.Engine.Runtime;
using Manyi.Engine.Serialization;
using Manyi.Engine.Validation;
using Manyi.Persistence.Definitions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Manyi.Web.Infrastructure;

/// <summary>
/// Turns the engine's and the catalog's exceptions into problem details with the status they mean, so that every
/// endpoint answers bad input the same way. Anything else stays a 500 and is logged by the framework.
/// </summary>
public sealed partial class DomainExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        var problem = ToProblem(exception);
        if (problem is null) return false;
        http.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem, Exception = exception });
    }

    public static ProblemDetails? ToProblem(Exception exception) => exception switch
    {
        WorkflowValidationException invalid => Invalid(invalid.Problems),
        WorkflowFormatException format => new ProblemDetails { Status = 400, Title = "The workflow file cannot be read.", Detail = format.Message },
        // A value the JSON reader refused (an instant without its offset, an unknown enum name): named by its field.
        BadHttpRequestException { InnerException: System.Text.Json.JsonException { Path: ['$', '.', .. var field] } json } =>
            new ValidationProblemDetails(new Dictionary<string, string[]> { [field] = [Readable(json.Message)] })
            {
                Status = 400, Title = "The request cannot be read.", Detail = $"'{field}': {Readable(json.Message)}",
            },
        // A query-string value the framework could not convert ("Failed to bind parameter "bool Overdue" from "maybe"."): named by its query key.
        BadHttpRequestException bad when UnboundParameter().Match(bad.Message) is { Success: true } unbound => Unbound(unbound),
        BadHttpRequestException bad => new ProblemDetails { Status = bad.StatusCode, Title = "The request cannot be read.", Detail = bad.InnerException?.Message ?? bad.Message },
        WorkflowNotFoundException missing => new ProblemDetails { Status = 404, Title = "Not found.", Detail = missing.Message },
        DefinitionConflictException conflict => new ProblemDetails { Status = 409, Title = "Version conflict.", Detail = conflict.Message },
        WorkflowStateException state => new ProblemDetails { Status = 409, Title = "Not allowed in the instance's current status.", Detail = state.Message },
        _ when StorageFailure.Is(exception) => new ProblemDetails { Status = 503, Title = StorageFailure.Title, Detail = StorageFailure.Detail },
        _ => null,
    };

    [System.Text.RegularExpressions.GeneratedRegex("""^Failed to bind parameter "(?<type>[^"]*) (?<name>\w+)" from "(?<value>.*)"\.$""")]
    private static partial System.Text.RegularExpressions.Regex UnboundParameter();

    /// <summary>
    /// The query key as clients write it: a bundle's property (<c>Overdue</c>) is bound from its camelCase key
    /// (<c>[FromQuery(Name = "overdue")]</c>), as a loose parameter is from its own name.
    /// </summary>
    private static ValidationProblemDetails Unbound(System.Text.RegularExpressions.Match unbound)
    {
        var name = unbound.Groups["name"].Value;
        var key = char.ToLowerInvariant(name[0]) + name[1..];
        var type = unbound.Groups["type"].Value;
        var kind = type switch
        {
            _ when type.StartsWith("bool", StringComparison.Ordinal) => ("true 或 false", "true or false"),
            _ when type.StartsWith("int", StringComparison.Ordinal) || type.StartsWith("long", StringComparison.Ordinal) => ("整数", "a whole number"),
            _ when type.StartsWith("DateTime", StringComparison.Ordinal) => ("带时区的时刻，例如 2025-04-30T18:00:00+08:00", "a date and time with its offset, e.g. 2025-04-30T18:00:00+08:00"),
            _ => ("本参数接受的值", "a value this parameter takes"),
        };
        var message = $"{key} 的值“{unbound.Groups["value"].Value}”无法识别，应为{kind.Item1}。{key}: '{unbound.Groups["value"].Value}' is not {kind.Item2}.";
        return new ValidationProblemDetails(new Dictionary<string, string[]> { [key] = [message] })
        {
            Status = 400, Title = "The request cannot be read.", Detail = message,
        };
    }

    private const string NotConverted = "The JSON value could not be converted to ";

    /// <summary>
    /// The reader's own refusal names a .NET type ("System.Nullable`1[System.Int32]"), which means nothing to a client:
    /// it is said as the kind of value expected. Messages of the app's own converters (an instant's offset) stay.
    /// </summary>
    internal static string Readable(string message)
    {
        if (!message.StartsWith(NotConverted, StringComparison.Ordinal)) return message;
        var type = message[NotConverted.Length..].Split(". Path:", 2)[0];
        var expected = type switch
        {
            _ when type.Contains("Int32", StringComparison.Ordinal) || type.Contains("Int64", StringComparison.Ordinal) => "a whole number",
            _ when type.Contains("Double", StringComparison.Ordinal) || type.Contains("Decimal", StringComparison.Ordinal) => "a number",
            _ when type.Contains("Boolean", StringComparison.Ordinal) => "true or false",
            _ when type.Contains("DateTime", StringComparison.Ordinal) => // DateTime and DateTimeOffset
                "a date and time with its offset, e.g. 2025-04-30T18:00:00+08:00",
            _ when type.Contains("TimeSpan", StringComparison.Ordinal) => "a duration, e.g. 1.00:00:00",
            _ when type.Contains("Dictionary", StringComparison.Ordinal) || type.Contains("JsonObject", StringComparison.Ordinal) => "an object ({…})",
            _ when type.Contains("String", StringComparison.Ordinal) && (type.Contains("List", StringComparison.Ordinal) || type.EndsWith("[]", StringComparison.Ordinal)) => "a list of texts",
            _ when type.Contains("String", StringComparison.Ordinal) => "a text",
            _ when type.Contains("List", StringComparison.Ordinal) || type.EndsWith("[]", StringComparison.Ordinal) => "a list",
            // The reader names the enclosing record when a JSON object or array is refused: no kind to say.
            _ => null,
        };
        return expected is null ? "The value is not of the kind this field takes (see the API's description)." : $"The value must be {expected}.";
    }

    /// <summary>A 400 whose <c>errors</c> are keyed by activity id (or "workflow") and whose <c>problems</c> list every finding in full.</summary>
    public static ProblemDetails Invalid(IReadOnlyList<ValidationProblem> found)
    {
        var errors = found.Where(p => p.Severity == Severity.Error)
            .GroupBy(p => p.ActivityId ?? "workflow")
            .ToDictionary(g => g.Key, g => g.Select(p => p.ToString()).ToArray());
        return new ValidationProblemDetails(errors)
        {
            Status = 400,
            Title = "The workflow is not valid.",
            Detail = string.Join("; ", found.Where(p => p.Severity == Severity.Error)),
            Extensions =
            {
                ["problems"] = found.Select(p => new
                {
                    severity = p.Severity.ToString(), activityId = p.ActivityId, activityType = p.ActivityType, input = p.Input, message = p.Message,
                }).ToList(),
            },
        };
    }
}
