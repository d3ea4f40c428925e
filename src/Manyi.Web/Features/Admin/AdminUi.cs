using System.Globalization;
using Manyi.Web.Components;
using Manyi.Web.Infrastructure;
using Manyi.Web.Infrastructure.Services;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Manyi.Web.Features.Admin;

/// <summary>
/// Small helpers the administrators' pages share: a bilingual text for places that take a plain string (labels,
/// placeholders), the message of an endpoint's error result, and Beijing-time date inputs.
/// </summary>
public static class AdminUi
{
    /// <summary>"中文 English", or the English alone for someone who switched language; for MudBlazor labels, which take strings.</summary>
    public static string Text(this UiLanguage? language, string zh, string en) => language?.IsEnglish == true ? en : $"{zh} {en}";

    /// <summary>What an endpoint's error result says (every field's messages for a validation problem), or null for a success.</summary>
    public static string? Problem(IResult result) => result switch
    {
        ValidationProblem v => string.Join(" ", v.ProblemDetails.Errors.SelectMany(e => e.Value)),
        ProblemHttpResult p when p.ProblemDetails is Microsoft.AspNetCore.Http.HttpValidationProblemDetails { Errors.Count: > 0 } details =>
            string.Join(" ", details.Errors.SelectMany(e => e.Value)),
        ProblemHttpResult p => p.ProblemDetails.Detail ?? p.ProblemDetails.Title,
        _ => null,
    };

    /// <summary>A validation problem's messages by field (the keys the API uses, e.g. <c>email</c>, <c>contacts[0]</c>); empty otherwise.</summary>
    public static IReadOnlyDictionary<string, string[]> FieldErrors(IResult result) => result switch
    {
        ValidationProblem v => v.ProblemDetails.Errors.ToDictionary(StringComparer.OrdinalIgnoreCase),
        _ => new Dictionary<string, string[]>(),
    };

    /// <summary>What an application service's failure says (every field's messages for invalid input), or null for none.</summary>
    public static string? Problem(Failure? failure) => failure?.Detail;

    /// <summary>Invalid input's messages by field (the keys the API uses, e.g. <c>email</c>, <c>contacts[0]</c>); empty otherwise.</summary>
    public static IReadOnlyDictionary<string, string[]> FieldErrors(Failure? failure) => failure switch
    {
        Failure.Invalid invalid => invalid.Errors.ToDictionary(StringComparer.OrdinalIgnoreCase),
        _ => new Dictionary<string, string[]>(),
    };

    /// <summary>An exception's message as the API would answer it (the engine's exceptions map to problem details), else its own message.</summary>
    public static string Problem(Exception exception) => DomainExceptionHandler.ToProblem(exception)?.Detail ?? exception.Message;

    /// <summary>A <c>datetime-local</c> input's value (e.g. 2025-05-09T18:00) read as Beijing time, or null when it is not one.</summary>
    public static DateTimeOffset? BeijingDateTime(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)
            || !DateTime.TryParseExact(value.Trim(), ["yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
            return null;
        return new DateTimeOffset(local, Dates.Shanghai.GetUtcOffset(local));
    }

    /// <summary>A <c>date</c> input's value (e.g. 2025-05-09) as the start of that day in Beijing time, or null.</summary>
    public static DateTimeOffset? BeijingDate(string? value, bool endOfDay = false)
    {
        if (string.IsNullOrWhiteSpace(value)
            || !DateOnly.TryParseExact(value.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            return null;
        var local = date.ToDateTime(endOfDay ? new TimeOnly(23, 59, 59) : TimeOnly.MinValue);
        return new DateTimeOffset(local, Dates.Shanghai.GetUtcOffset(local));
    }
}
