using System.Text.Json.Nodes;
using Manyi.Engine.Activities.Waiting;
using Manyi.Engine.Calendar;

namespace Manyi.Engine.Tests.Calendar;

/// <summary>Deadlines counted from the workflow's start or a campaign setting (issue 21, item 3), as the designer's deadline editor writes them.</summary>
public sealed class DueDateAnchorTests
{
    private static readonly DueDateAnchors Monday21April = new(DateTimeOffset.Parse("2025-04-21T10:00:00+08:00"),
        JsonNode.Parse("""{"dates": {"headcountDue": "2025-04-30T18:00:00+08:00"}}"""));

    [Theory]
    // Five working days after Monday 21 April 2025 is Sunday 27 April, a make-up working day (调休).
    [InlineData("""{"workingDaysAfter": {"workflowStart": true}, "days": 5, "time": "18:00"}""", "2025-04-27T18:00:00+08:00")]
    [InlineData("""{"calendarDaysAfter": {"workflowStart": true}, "days": 5, "time": "18:00"}""", "2025-04-26T18:00:00+08:00")]
    // Two working days after 30 April skip the May Day holiday (1–5 May).
    [InlineData("""{"workingDaysAfter": {"campaignSetting": "dates.headcountDue"}, "days": 2, "time": "17:00"}""", "2025-05-07T17:00:00+08:00")]
    [InlineData("""{"calendarDaysAfter": "2025-04-30T18:00:00+08:00", "days": 3, "time": "12:00"}""", "2025-05-03T12:00:00+08:00")]
    public void A_deadline_counts_from_its_anchor(string spec, string expected)
    {
        Assert.Equal(DateTimeOffset.Parse(expected), DueDate.Resolve(JsonNode.Parse(spec), TestEngine.Calendar2025, Monday21April));
        Assert.Equal(spec.Contains("Start", StringComparison.Ordinal) || spec.Contains("Setting", StringComparison.Ordinal), DueDate.IsAnchored(JsonNode.Parse(spec)));
    }

    [Theory]
    [InlineData("""{"workingDaysAfter": {"workflowStart": true}, "days": 5}""", null, "known only when it runs")]
    [InlineData("""{"workingDaysAfter": {"campaignSetting": "dates.nowhere"}, "days": 5}""", "anchors", "has no setting 'dates.nowhere'")]
    [InlineData("""{"workingDaysAfter": {"campaignSetting": ""}, "days": 5}""", "anchors", "name the campaign setting")]
    [InlineData("""{"workingDaysAfter": {"somethingElse": 1}, "days": 5}""", "anchors", "must be an instant")]
    [InlineData("""{"calendarDaysAfter": {"workflowStart": true}, "days": -1}""", "anchors", "between 0 and")]
    public void An_anchor_that_cannot_be_resolved_is_a_problem_that_says_why(string spec, string? anchors, string message)
    {
        var problem = Assert.Throws<FormatException>(() => DueDate.Resolve(JsonNode.Parse(spec), TestEngine.Calendar2025, anchors is null ? null : Monday21April));

        Assert.Contains(message, problem.Message);
    }

    [Fact]
    public async Task A_task_due_five_working_days_after_its_workflow_starts_gets_that_deadline_and_saves_without_a_passed_date_problem()
    {
        await using var engine = new TestEngine();
        var deadline = new JsonObject { ["workingDaysAfter"] = new JsonObject { ["workflowStart"] = true }, ["days"] = 5, ["time"] = "18:00" };
        var definition = Doc.Flowchart(
            [
                Doc.Activity("start", "Elsa.Start"),
                Doc.Activity("report", "Elsa.Event", ("eventName", Doc.Input("corrective-report")), ("deadline", Doc.Input(deadline, typeName: "Object"))),
            ],
            [Doc.Connection("start", "Done", "report")]);
        engine.Time.SetUtcNow(DateTimeOffset.Parse("2025-04-21T10:00:00+08:00"));
        Assert.Empty(engine.Get<Manyi.Engine.Validation.WorkflowCompiler>().Validate(definition).Errors);
        await engine.PublishAsync(definition);

        var instance = await engine.StartAsync(definition, "mobile-zhengzhou");

        Assert.Equal(DateTimeOffset.Parse("2025-04-27T18:00:00+08:00"), Assert.Single(instance.Bookmarks, b => b.Name == WaitingActivity.DeadlineBookmark).ResumeAt);
    }
}
