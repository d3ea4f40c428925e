using Manyi.Engine.Expressions;
using Manyi.Engine.Runtime;

namespace Manyi.Engine.Activities.Scripting;

/// <summary>
/// Runs a script under the same sandbox and limits as every JavaScript expression. The script may <c>return</c> a
/// value (its result) and choose its outcomes with <c>setOutcome('A')</c> or <c>setOutcomes(['A', 'B'])</c>; without
/// them it ends with Done. Its ports are Done and <see cref="PossibleOutcomes"/>.
/// </summary>
[Activity("Elsa.RunJavaScript", "Scripting", "Runs a JavaScript script; its result becomes the output Result, and setOutcome/setOutcomes choose the ports.",
    Outcomes = [], Outputs = ["Result"])]
public sealed class RunJavaScript(JavaScriptEvaluator javaScript) : Activity
{
    [Input(Description = "The script to run; it may return a value and call setOutcome('…').")]
    public Input<string> Script { get; set; } = new("");

    [Input(Description = "The outcomes the script may choose, each a port.")]
    public Input<string[]> PossibleOutcomes { get; set; } = new([]);

    [Input(Description = "The variable that receives the result.")]
    public OutputTarget? Result { get; set; }

    public override async ValueTask<ActivityStep> ExecuteAsync(ActivityContext context)
    {
        var script = await context.EvaluateAsync(Script);
        if (string.IsNullOrWhiteSpace(script)) return ActivityStep.Done;
        string[]? chosen = null;
        var result = javaScript.Evaluate(Runnable(script), context, context.CancellationToken, engine =>
        {
            engine.SetValue("setOutcome", new Action<string>(outcome => chosen = [outcome]));
            engine.SetValue("setOutcomes", new Action<string[]>(outcomes => chosen = outcomes));
        });
        if (result is not null) OutputTarget.Write(context, Result, result);
        return chosen is { Length: > 0 } ? ActivityStep.CompleteWith(chosen) : ActivityStep.Done;
    }

    public override IReadOnlyList<string> GetOutcomes() => [Done, .. LiteralOutcomes().Where(o => o != Done)];

    public override IEnumerable<InputProblem> CheckInputs(DateTimeOffset now)
    {
        if (Script.Expression.Type == Model.Expression.Literal && Script.Expression.Text is { Length: > 0 } script
            && javaScript.Check(script) is { } error && javaScript.Check(AsFunctionBody(script)) is not null)
            yield return new InputProblem("script", $"JavaScript does not parse: {error}");
    }

    /// <summary>A script with a top-level <c>return</c> (as Elsa's scripts often have) runs as a function body.</summary>
    private string Runnable(string script) => javaScript.Check(script) is null ? script : AsFunctionBody(script);

    private static string AsFunctionBody(string script) => $"(function () {{\n{script}\n}})()";

    private IEnumerable<string> LiteralOutcomes()
    {
        try
        {
            return ValueConverter.Convert<string[]>(PossibleOutcomes.Expression.Type is Model.Expression.Literal or Model.Expression.Object
                ? PossibleOutcomes.Expression.Value : null) ?? [];
        }
        catch (InvalidCastException)
        {
            return [];
        }
    }
}
