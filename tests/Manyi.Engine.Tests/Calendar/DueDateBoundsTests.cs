using System.Text.Json.Nodes;
using Manyi.Engine.Calendar;

namespace Manyi.Engine.Tests.Calendar;

/// <summary>Every date and duration a deadline names is bounded, so that day arithmetic never overflows or runs for minutes.</summary>
public sealed class DueDateBoundsTests
{
    [Theory]
    [InlineData("\"9999-12-31T23:59:59+08:00\"", "must fall between 2000 and 2199")]
    [InlineData("{\"at\": \"0001-01-01T00:00:00+00:00\"}", "must fall between 2000 and 2199")]
    [InlineData("{\"workingDaysAfter\": \"2025-04-01T09:00:00+08:00\", \"days\": 100000000}", "'days' must be between 0 and 1000")]
    [InlineData("{\"workingDaysAfter\": \"9999-12-30T09:00:00+08:00\", \"days\": 5}", "must fall between 2000 and 2199")]
    [InlineData("{\"after\": \"2025-04-01T09:00:00+08:00\", \"offset\": \"10675199.02:48:05\"}", "'offset' must be at most 3653 days")]
    [InlineData("{\"after\": \"2199-12-01T09:00:00+08:00\", \"offset\": \"60.00:00:00\"}", "'deadline' must fall between 2000 and 2199")]
    public void Out_of_range_deadlines_are_refused_naming_the_field(string spec, string message)
    {
        var error = Assert.Throws<FormatException>(() => DueDate.Resolve(JsonNode.Parse(spec), TestEngine.Calendar2025));

        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void A_deadline_within_the_bounds_resolves()
    {
        var due = DueDate.Resolve(JsonNode.Parse("{\"workingDaysAfter\": \"2025-04-01T09:00:00+08:00\", \"days\": 1000}"), TestEngine.Calendar2025);

        Assert.InRange(due.Year, 2028, 2029);
    }
}
