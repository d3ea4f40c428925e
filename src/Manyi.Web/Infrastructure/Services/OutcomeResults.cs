using Microsoft.AspNetCore.Http.HttpResults;

namespace Manyi.Web.Infrastructure.Services;

/// <summary>How endpoints answer an <see cref="Outcome{T}"/>: the value as asked, a failure as RFC 9457 problem details.</summary>
public static class OutcomeResults
{
    public static Results<Ok<T>, ValidationProblem, ProblemHttpResult> ToOk<T>(this Outcome<T> outcome) => outcome.To(TypedResults.Ok);

    /// <summary>An <see cref="ExportedFile"/> as a download.</summary>
    public static Results<FileContentHttpResult, ValidationProblem, ProblemHttpResult> ToFile(this Outcome<ExportedFile> outcome) =>
        outcome.To(file => TypedResults.File(file.Content, file.ContentType, file.FileName));

    public static Results<TResult, ValidationProblem, ProblemHttpResult> To<T, TResult>(this Outcome<T> outcome, Func<T, TResult> success)
        where TResult : IResult => outcome.Failure switch
        {
            null => success(outcome.Value!),
            Failure.Invalid invalid => TypedResults.ValidationProblem(invalid.Errors),
            var failure => failure.ToProblem(),
        };

    public static ProblemHttpResult ToProblem(this Failure failure) => failure switch
    {
        Failure.NotFound => Problems.NotFound(failure.Detail),
        Failure.Conflict => TypedResults.Problem(detail: failure.Detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict."),
        Failure.Forbidden => TypedResults.Problem(detail: failure.Detail, statusCode: StatusCodes.Status403Forbidden, title: "Forbidden."),
        _ => TypedResults.Problem(detail: failure.Detail, statusCode: StatusCodes.Status400BadRequest),
    };
}
