using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Acornima;
using Acornima.Ast;
using Jint;
using Jint.Native;
using JintEngine = Jint.Engine;
using Jint.Runtime;
using JintJsonParser = Jint.Native.Json.JsonParser;
using JintJsonSerializer = Jint.Native.Json.JsonSerializer;

namespace Manyi.Engine.Expressions;

/// <summary>Limits every JavaScript evaluation runs under; scripts get no CLR access at all.</summary>
public sealed record ScriptLimits
{
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);
    public long MemoryBytes { get; init; } = 32 * 1024 * 1024;
    public int RecursionDepth { get; init; } = 64;
    public int MaxStatements { get; init; } = 100_000;
}

/// <summary>Runs Elsa-style JavaScript expressions in a sandboxed Jint engine.</summary>
public sealed class JavaScriptEvaluator(ScriptLimits limits)
{
    private readonly ConcurrentDictionary<string, Prepared<Script>> _scripts = new();

    /// <summary>Returns the parse error of a script, or null when it parses.</summary>
    public string? Check(string code)
    {
        try
        {
            Prepare(code);
            return null;
        }
        catch (Exception ex) when (ParseError(ex) is { } error)
        {
            return error;
        }
    }

    /// <param name="extend">Adds functions for one activity's script (Elsa.RunJavaScript's setOutcome), under the same limits.</param>
    public JsonNode? Evaluate(string code, IExpressionScope scope, CancellationToken cancellationToken, Action<JintEngine>? extend = null)
    {
        Prepared<Script> script;
        try
        {
            script = Prepare(code);
        }
        catch (Exception ex) when (ParseError(ex) is { } error)
        {
            throw new ExpressionException($"JavaScript does not parse: {error}", ex);
        }

        var engine = new JintEngine(options => options
            .Strict(false)
            .TimeoutInterval(limits.Timeout)
            .LimitMemory(limits.MemoryBytes)
            .LimitRecursion(limits.RecursionDepth)
            .MaxStatements(limits.MaxStatements)
            .CancellationToken(cancellationToken));
        var parser = new JintJsonParser(engine);
        var serializer = new JintJsonSerializer(engine);
        JsValue ToJs(JsonNode? node) => node is null ? JsValue.Null : parser.Parse(node.ToJsonString());
        JsonNode? FromJs(JsValue value)
        {
            if (value.IsUndefined() || value.IsNull()) return null;
            var json = serializer.Serialize(value);
            return json.IsUndefined() ? null : JsonNode.Parse(json.AsString());
        }

        engine.SetValue("getVariable", new Func<string, JsValue>(name => ToJs(scope.GetVariable(name))));
        engine.SetValue("setVariable", new Action<string, JsValue>((name, value) => scope.SetVariable(name, FromJs(value))));
        foreach (var variable in scope.VariableDefinitions)
        {
            var name = variable.Name;
            var pascal = char.ToUpperInvariant(name[0]) + name[1..];
            engine.SetValue($"get{pascal}", new Func<JsValue>(() => ToJs(scope.GetVariable(name))));
            engine.SetValue($"set{pascal}", new Action<JsValue>(value => scope.SetVariable(name, FromJs(value))));
        }
        var snapshot = new JsonObject(scope.VariableDefinitions.Select(v => KeyValuePair.Create(v.Name, scope.GetVariable(v.Name)?.DeepClone())));
        engine.SetValue("variables", ToJs(snapshot));
        engine.SetValue("getInput", new Func<string, JsValue>(name => ToJs(scope.GetInput(name))));
        engine.SetValue("getCorrelationId", new Func<string?>(() => scope.CorrelationId));
        engine.SetValue("setCorrelationId", new Action<string?>(id => scope.CorrelationId = id));
        engine.SetValue("getWorkflowInstanceId", new Func<string>(() => scope.WorkflowInstanceId));
        engine.SetValue("getWorkflowDefinitionId", new Func<string>(() => scope.WorkflowDefinitionId));
        engine.SetValue("getLastResult", new Func<JsValue>(() => ToJs(scope.LastResult)));
        engine.SetValue("getOutputFrom", new Func<string, string?, JsValue>((activity, output) => ToJs(scope.GetOutputFrom(activity, output))));
        engine.SetValue("isNullOrEmpty", new Func<JsValue, bool>(value => value.IsNull() || value.IsUndefined() || (value.IsString() && value.AsString().Length == 0)));
        engine.SetValue("newGuidString", new Func<string>(() => Guid.NewGuid().ToString()));
        engine.SetValue("toJson", new Func<JsValue, JsValue>(value => serializer.Serialize(value)));
        extend?.Invoke(engine);

        try
        {
            var result = FromJs(engine.Evaluate(script));
            // Writes through the `variables` object are applied after the script, like Elsa's variables proxy.
            if (FromJs(engine.GetValue("variables")) is JsonObject after)
                foreach (var (name, value) in after)
                    if (!JsonNode.DeepEquals(value, snapshot[name]))
                        scope.SetVariable(name, value?.DeepClone());
            return result;
        }
        catch (ExecutionCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host is stopping, not the script failing: the burst is abandoned rather than turned into an incident.
            throw new OperationCanceledException(cancellationToken);
        }
        catch (Exception ex) when (ex is JavaScriptException or TimeoutException or MemoryLimitExceededException
                                       or RecursionDepthOverflowException or StatementsCountOverflowException
                                       or ExecutionCanceledException or JintException or InvalidCastException)
        {
            throw new ExpressionException($"JavaScript failed: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// The parse error in an exception from <see cref="Prepare"/>, or null. Jint wraps Acornima's syntax error in a
    /// <see cref="ScriptPreparationException"/>, whose own message only adds "Could not prepare script".
    /// </summary>
    private static string? ParseError(Exception ex) => ex switch
    {
        ParseErrorException parse => parse.Message,
        ScriptPreparationException { InnerException: ParseErrorException parse } => parse.Message,
        ScriptPreparationException preparation => preparation.Message,
        _ => null,
    };

    private Prepared<Script> Prepare(string code) => _scripts.GetOrAdd(code, static c => JintEngine.PrepareScript(c));
}
