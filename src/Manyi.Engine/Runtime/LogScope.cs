using System.Collections;

namespace Manyi.Engine.Runtime;

/// <summary>
/// A logging scope of named ids (<c>WorkflowInstanceId</c>, <c>TaskId</c>, <c>BookmarkId</c>, <c>OutboxKey</c>): structured
/// log sinks (the JSON console, OpenTelemetry) get each as a property, text sinks <c>WorkflowInstanceId=…</c>.
/// </summary>
public sealed class LogScope(params KeyValuePair<string, object?>[] values) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public static LogScope Of(string name, object? value) => new(new KeyValuePair<string, object?>(name, value));

    public static LogScope Of(string name, object? value, string name2, object? value2) =>
        new(new KeyValuePair<string, object?>(name, value), new KeyValuePair<string, object?>(name2, value2));

    public KeyValuePair<string, object?> this[int index] => values[index];
    public int Count => values.Length;
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)values).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    public override string ToString() => string.Join(", ", values.Select(v => $"{v.Key}={v.Value}"));
}
