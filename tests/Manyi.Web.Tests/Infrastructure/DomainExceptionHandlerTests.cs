using System.Text.Json;
using Manyi.Web.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Manyi.Web.Tests.Infrastructure;

/// <summary>A body the JSON reader refuses is a 400 that names the field and the kind of value, never a .NET type.</summary>
public sealed class DomainExceptionHandlerTests
{
    private static ValidationProblemDetails Refused(string type, string field) =>
        Assert.IsType<ValidationProblemDetails>(DomainExceptionHandler.ToProblem(new BadHttpRequestException("bad", new JsonException(
            $"The JSON value could not be converted to {type}. Path: $.{field} | LineNumber: 0 | BytePositionInLine: 11.", $"$.{field}", 0, 11))));

    [Theory]
    [InlineData("System.Nullable`1[System.Int32]", "The value must be a whole number.")]
    [InlineData("System.Boolean", "The value must be true or false.")]
    [InlineData("System.Collections.Generic.List`1[System.String]", "The value must be a list of texts.")]
    [InlineData("System.Nullable`1[System.DateTimeOffset]", "The value must be a date and time with its offset, e.g. 2025-04-30T18:00:00+08:00.")]
    public void The_readers_refusal_says_the_kind_of_value_expected(string type, string said)
    {
        var problem = Refused(type, "year");

        Assert.Equal(400, problem.Status);
        Assert.Equal([said], problem.Errors["year"]);
        Assert.Equal($"'year': {said}", problem.Detail);
        Assert.DoesNotContain("System.", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_message_of_the_apps_own_converter_stays_as_it_is()
    {
        const string own = "An instant needs its offset, e.g. 2025-05-01T18:00:00+08:00.";
        var problem = DomainExceptionHandler.ToProblem(new BadHttpRequestException("bad", new JsonException(own, "$.dueAt", 0, 5)));

        Assert.Equal($"'dueAt': {own}", problem!.Detail);
    }
}
