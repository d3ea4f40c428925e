using Microsoft.AspNetCore.Http.HttpResults;

namespace Manyi.Web.Infrastructure;

public static class Problems
{
    /// <summary>
    /// A 404 written as application/problem+json like every other error; <c>TypedResults.NotFound(problemDetails)</c>
    /// would write the same body as plain application/json. Endpoints that return it declare <c>ProducesProblem(404)</c>.
    /// </summary>
    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status404NotFound, title: "Not found.");
}
