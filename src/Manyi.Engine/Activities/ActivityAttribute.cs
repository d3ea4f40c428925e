namespace Manyi.Engine.Activities;

/// <summary>Declares an activity type: its Elsa type name, its palette category, what it does and its outcome ports.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ActivityAttribute(string typeName, string category, string description) : Attribute
{
    public string TypeName { get; } = typeName;
    public string Category { get; } = category;
    public string Description { get; } = description;

    /// <summary>The outcome ports. Empty means the ports depend on the activity's inputs (see <see cref="Activity.GetOutcomes"/>).</summary>
    public string[] Outcomes { get; init; } = [Activity.Done];

    /// <summary>
    /// The outputs the activity records (<c>context.SetOutput</c>), which scripts read as <c>get{Output}From{Activity}()</c>
    /// and Liquid as <c>Outputs.{Activity}.{Output}</c>: the designer offers them in completion.
    /// </summary>
    public string[] Outputs { get; init; } = [];

    /// <summary>Other type names files may use for this activity (Elsa has renamed some); the file keeps its name.</summary>
    public string[] Aliases { get; init; } = [];
}

/// <summary>Marks a property as an input the designer shows and the file stores under the camel-cased property name.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class InputAttribute : Attribute
{
    public string? Description { get; init; }
    /// <summary>Refused when empty; only where Elsa cannot run the activity without it (Elsa's files leave many inputs out).</summary>
    public bool Required { get; init; }

    /// <summary>For an input Elsa lets be empty although the activity then does little: the warning's reason, e.g. "no event can ever match".</summary>
    public string? IfEmpty { get; init; }

    /// <summary>Allowed values, for a choice.</summary>
    public string[]? Options { get; init; }
}
