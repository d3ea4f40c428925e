namespace Manyi.Engine.Tests.Activities.Http;

/// <summary>Elsa.HttpEndpoint's save-time checks.</summary>
public sealed class HttpEndpointCheckTests
{
    [Fact]
    public void A_literal_path_or_method_that_could_never_be_served_is_refused_when_saved()
    {
        using var engine = new TestEngine();
        var result = engine.Get<Engine.Validation.WorkflowCompiler>().Validate(Doc.Flowchart(
        [
            Doc.Activity("spaces", "Elsa.HttpEndpoint", ("path", Doc.Input("sign ups"))),
            Doc.Activity("braces", "Elsa.HttpEndpoint", ("path", Doc.Input("orders/{id"))),
            Doc.Activity("method", "Elsa.HttpEndpoint", ("path", Doc.Input("ok")), ("supportedMethods", Doc.Input("""["PO ST"]""", "Object", "String[]"))),
            Doc.Activity("fine", "Elsa.HttpEndpoint", ("path", Doc.Input("orders/{id}/confirm")), ("supportedMethods", Doc.Input("""["POST","put"]""", "Object", "String[]"))),
        ]));

        Assert.Equal(
            ["Activity 'braces' (Elsa.HttpEndpoint): input 'path' The path 'orders/{id' has unbalanced braces around a route value.",
             "Activity 'method' (Elsa.HttpEndpoint): input 'supportedMethods' 'PO ST' is not an HTTP method.",
             "Activity 'spaces' (Elsa.HttpEndpoint): input 'path' The path 'sign ups' contains a space."],
            result.Errors.Select(e => e.ToString()).Order());
    }

    [Fact]
    public async Task A_start_path_whose_expression_fails_is_refused_when_published_naming_the_activity()
    {
        await using var engine = new TestEngine();
        var definition = Tree.Workflow(Tree.Sequence("seq",
            Doc.Activity("hook", "Elsa.HttpEndpoint", ("path", Doc.Input("return getStaticValue() ?? 'first';", "JavaScript")))
                .With("customProperties", new System.Text.Json.Nodes.JsonObject { ["canStartWorkflow"] = true })));

        var refused = await Assert.ThrowsAsync<Engine.Validation.WorkflowValidationException>(
            () => engine.Runtime.GetTriggersAsync(definition, TestContext.Current.CancellationToken));

        var problem = Assert.Single(refused.Problems);
        Assert.Equal("hook", problem.ActivityId);
        Assert.Equal(["seq"], problem.Path);
        Assert.Contains("getStaticValue is not defined", problem.Message);
    }
}
