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

/// <summary>
/// Limits every JavaScript and Liquid evaluation runs under; scripts get no CLR access at all. Bindable: a host binds
/// them from its settings (the web host from <c>Manyi:Scripts</c>) and checks them with <see cref="Problems"/>.
/// </summary>
public sealed record ScriptLimits
{
    public const string Section = "Manyi:Scripts";

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);
    public long MemoryBytes { get; init; } = 32 * 1024 * 1024;
    public int RecursionDepth { get; init; } = 64;
    public int MaxStatements { get; init; } = 100_000;

    /// <summary>
    /// The longest value, in characters (JSON for an object), an expression may give or a script may write to a
    /// variable; also the longest string one built-in call may make. Jint checks <see cref="MemoryBytes"/> only between
    /// statements, so a single <c>"z".repeat(1 &lt;&lt; 27)</c> would otherwise allocate hundreds of megabytes before it.
    /// </summary>
    public int MaxResultLength { get; init; } = 1_000_000;

    /// <summary>The most elements one JavaScript array may hold.</summary>
    public uint MaxArraySize { get; init; } = 100_000;

    /// <summary>The most statements and loop turns one Liquid template may run (two nested loops of 10,000 would take seconds).</summary>
    public int LiquidMaxSteps { get; init; } = 200_000;

    /// <summary>What is wrong with these limits, each naming its setting; empty when they can work. Zero means no limit where Jint allows it.</summary>
    public IEnumerable<string> Problems()
    {
        if (Timeout <= TimeSpan.Zero) yield return $"{Section}:Timeout must be positive ({Timeout}).";
        if (MemoryBytes < 0) yield return $"{Section}:MemoryBytes must not be negative ({MemoryBytes}).";
        if (RecursionDepth < 1) yield return $"{Section}:RecursionDepth must be at least 1 ({RecursionDepth}).";
        if (MaxStatements < 0) yield return $"{Section}:MaxStatements must not be negative ({MaxStatements}).";
        if (MaxResultLength < 1) yield return $"{Section}:MaxResultLength must be at least 1 ({MaxResultLength}).";
        if (MaxArraySize < 1) yield return $"{Section}:MaxArraySize must be at least 1 ({MaxArraySize}).";
        if (LiquidMaxSteps < 1) yield return $"{Section}:LiquidMaxSteps must be at least 1 ({LiquidMaxSteps}).";
    }
}

/// <summary>A function every JavaScript expression can call, with its signature and what it does, Chinese first.</summary>
public sealed record ScriptFunction(string Name, string Signature, string Zh, string En);

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
            .MaxArraySize(limits.MaxArraySize)
            // Jint's own default lets one regular expression backtrack for 10 seconds, past the script's time limit.
            .RegexTimeoutInterval(limits.Timeout)
            .CancellationToken(cancellationToken));
        StringBuilders.Guard(engine, limits.MaxResultLength, limits.MaxArraySize);
        var parser = new JintJsonParser(engine);
        var serializer = new JintJsonSerializer(engine);
        JsValue ToJs(JsonNode? node) => node is null ? JsValue.Null : parser.Parse(node.ToJsonString());
        JsonNode? FromJs(JsValue value)
        {
            if (value.IsUndefined() || value.IsNull()) return null;
            var json = serializer.Serialize(value);
            if (json.IsUndefined()) return null;
            var text = json.AsString();
            if (text.Length > limits.MaxResultLength)
                throw new ExpressionException(TooLong(text.Length, limits.MaxResultLength));
            return JsonNode.Parse(text);
        }

        // Elsa's generated accessors: get{Output}From{Activity}(), get{Input}(), and get/set{Variable}(), a variable's
        // winning over an input of the same name. Names that are not JavaScript identifiers get none, as in Elsa.
        foreach (var (activity, output) in scope.ProducedOutputs)
            if (Accessor(output) is { } outputName && Accessor(activity) is { } activityName)
                engine.SetValue($"get{outputName}From{activityName}", new Func<JsValue>(() => ToJs(scope.GetOutputFrom(activity, output))));
        foreach (var input in scope.InputNames)
            if (Accessor(input) is { } inputName)
                engine.SetValue($"get{inputName}", new Func<JsValue>(() => ToJs(scope.GetInput(input))));
        foreach (var variable in scope.VariableDefinitions)
        {
            var name = variable.Name;
            if (Accessor(name) is not { } pascal) continue;
            engine.SetValue($"get{pascal}", new Func<JsValue>(() => ToJs(scope.GetVariable(name))));
            engine.SetValue($"set{pascal}", new Action<JsValue>(value => scope.SetVariable(name, FromJs(value))));
        }
        var snapshot = new JsonObject(scope.VariableDefinitions.Select(v => KeyValuePair.Create(v.Name, scope.GetVariable(v.Name)?.DeepClone())));
        engine.SetValue("variables", ToJs(snapshot));
        var binding = new Binding(scope, ToJs, FromJs, serializer);
        foreach (var (function, make) in Builtins)
            engine.SetValue(function.Name, make(binding));
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
            throw new ExpressionException($"JavaScript failed: {Shortened(ex.Message)}", ex);
        }
    }

    /// <summary>What a built-in function needs of one evaluation.</summary>
    private sealed record Binding(IExpressionScope Scope, Func<JsonNode?, JsValue> ToJs, Func<JsValue, JsonNode?> FromJs, JintJsonSerializer Serializer);

    /// <summary>
    /// The functions every script has besides the generated accessors: registered from this table alone, so that what
    /// the designer offers (<see cref="Functions"/>) is what runs.
    /// </summary>
    private static readonly (ScriptFunction Function, Func<Binding, Delegate> Make)[] Builtins =
    [
        (new("getVariable", "getVariable(name)", "读取变量的值", "Reads a variable's value"),
            b => new Func<string, JsValue>(name => b.ToJs(b.Scope.GetVariable(name)))),
        (new("setVariable", "setVariable(name, value)", "给变量赋值", "Sets a variable"),
            b => new Action<string, JsValue>((name, value) => b.Scope.SetVariable(name, b.FromJs(value)))),
        (new("getInput", "getInput(name)", "读取流程的输入", "Reads an input of the workflow"),
            b => new Func<string, JsValue>(name => b.ToJs(b.Scope.GetInput(name)))),
        (new("getOutputFrom", "getOutputFrom(activity, output)", "读取某活动的输出", "Reads an output of an activity"),
            b => new Func<string, string?, JsValue>((activity, output) => b.ToJs(b.Scope.GetOutputFrom(activity, output)))),
        (new("getLastResult", "getLastResult()", "上一个活动的结果", "The result of the activity before"),
            b => new Func<JsValue>(() => b.ToJs(b.Scope.LastResult))),
        (new("getCorrelationId", "getCorrelationId()", "读取关联键", "Reads the correlation id"),
            b => new Func<string?>(() => b.Scope.CorrelationId)),
        (new("setCorrelationId", "setCorrelationId(id)", "设置关联键", "Sets the correlation id"),
            b => new Action<string?>(id => b.Scope.CorrelationId = id)),
        (new("getWorkflowInstanceId", "getWorkflowInstanceId()", "本次运行的编号", "This run's id"),
            b => new Func<string>(() => b.Scope.WorkflowInstanceId)),
        (new("getWorkflowDefinitionId", "getWorkflowDefinitionId()", "流程的编号", "The workflow's id"),
            b => new Func<string>(() => b.Scope.WorkflowDefinitionId)),
        (new("isNullOrEmpty", "isNullOrEmpty(value)", "值为空或空文本时为真", "True when the value is null or empty text"),
            _ => new Func<JsValue, bool>(value => value.IsNull() || value.IsUndefined() || (value.IsString() && value.AsString().Length == 0))),
        (new("newGuidString", "newGuidString()", "生成一个新的唯一编号", "Makes a new unique id"),
            _ => new Func<string>(() => Guid.NewGuid().ToString())),
        (new("toJson", "toJson(value)", "把值写成 JSON 文本", "Writes a value as JSON text"),
            b => new Func<JsValue, JsValue>(value => b.Serializer.Serialize(value))),
    ];

    /// <summary>The built-in functions, for the designer's completion.</summary>
    public static IReadOnlyList<ScriptFunction> Functions { get; } = [.. Builtins.Select(b => b.Function)];

    /// <summary>A name as it appears in a generated function's name (first letter upper case); null when it is no identifier.</summary>
    public static string? Accessor(string name) =>
        name.Length > 0 && (char.IsLetter(name[0]) || name[0] is '_' or '$') && name.All(c => char.IsLetterOrDigit(c) || c is '_' or '$')
            ? char.ToUpperInvariant(name[0]) + name[1..]
            : null;

    internal static string TooLong(long length, int limit) =>
        $"The value is {length:N0} characters long; the limit is {limit:N0}.";

    /// <summary>A script's own error message (<c>throw new Error(huge)</c>) goes to the journal and the incident: kept short.</summary>
    private static string Shortened(string message) => message.Length <= 1_000 ? message : message[..1_000] + "…";

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
