using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Manyi.Engine.Model;

namespace Manyi.Engine.Activities;

/// <summary>What the engine, the validator and the designer know about an activity type.</summary>
public sealed record ActivityDescriptor(
    string TypeName,
    IReadOnlyList<string> Aliases,
    string Category,
    string Description,
    Type ClrType,
    IReadOnlyList<string> Outcomes,
    IReadOnlyList<InputDescriptor> Inputs)
{
    public bool HasDynamicOutcomes => Outcomes.Count == 0;
    public bool IsTrigger => typeof(ITriggerActivity).IsAssignableFrom(ClrType);

    /// <summary>The outputs the activity records, as its attribute declares them.</summary>
    public IReadOnlyList<string> Outputs { get; init; } = [];

    public static ActivityDescriptor Describe(Type type)
    {
        var attribute = type.GetCustomAttribute<ActivityAttribute>()
            ?? throw new InvalidOperationException($"{type.Name} has no [Activity] attribute.");
        var inputs = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetCustomAttribute<InputAttribute>() is not null)
            .Select(InputDescriptor.Describe)
            .ToList();
        return new ActivityDescriptor(attribute.TypeName, attribute.Aliases, attribute.Category, attribute.Description, type, attribute.Outcomes, inputs)
        {
            Outputs = attribute.Outputs,
        };
    }
}

/// <summary>One input of an activity type: the file key, the value type and whether it holds an expression.</summary>
public sealed record InputDescriptor(string Name, string TypeName, Type ValueType, bool IsExpression, bool Required, string? Description, IReadOnlyList<string>? Options, PropertyInfo Property)
{
    internal static readonly JsonSerializerOptions RawOptions = new(JsonSerializerDefaults.Web);

    public static InputDescriptor Describe(PropertyInfo property)
    {
        var attribute = property.GetCustomAttribute<InputAttribute>()!;
        var isExpression = property.PropertyType.IsGenericType && property.PropertyType.GetGenericTypeDefinition() == typeof(Input<>);
        var valueType = isExpression ? property.PropertyType.GetGenericArguments()[0] : property.PropertyType;
        return new InputDescriptor(JsonNamingPolicy.CamelCase.ConvertName(property.Name), TypeNames.Of(valueType), valueType,
            isExpression, attribute.Required, attribute.Description, attribute.Options, property);
    }

    /// <summary>Sets this input on a bound activity from the node's JSON; absent inputs keep the property's default.</summary>
    public void Bind(Activity activity, ActivityNode node)
    {
        var json = node.Properties[Name];
        if (json is null) return;
        if (IsExpression)
        {
            var expression = Expression.FromInputProperty(json)
                ?? throw new ActivityBindingException(node, Name, "must be an object with an 'expression'");
            Property.SetValue(activity, Activator.CreateInstance(Property.PropertyType, expression));
            return;
        }
        try
        {
            Property.SetValue(activity, json.Deserialize(ValueType, RawOptions));
        }
        catch (JsonException ex)
        {
            throw new ActivityBindingException(node, Name, $"is not a valid {TypeName}: {ex.Message}");
        }
    }
}

/// <summary>An input in a file that does not fit the activity's declared input.</summary>
public sealed class ActivityBindingException(ActivityNode node, string input, string problem)
    : Exception($"Activity '{node.Id}' ({node.Type}): input '{input}' {problem}.")
{
    public string ActivityId { get; } = node.Id;
    public string Problem { get; } = problem;
}

/// <summary>Elsa's names for CLR types, as written in <c>typeName</c>.</summary>
public static class TypeNames
{
    private static readonly Dictionary<Type, string> Names = new()
    {
        [typeof(string)] = "String", [typeof(int)] = "Int32", [typeof(long)] = "Int64", [typeof(double)] = "Double",
        [typeof(decimal)] = "Decimal", [typeof(bool)] = "Boolean", [typeof(object)] = "Object",
        [typeof(DateTimeOffset)] = "DateTimeOffset", [typeof(DateTime)] = "DateTime", [typeof(TimeSpan)] = "TimeSpan",
        [typeof(JsonNode)] = "Object", [typeof(string[])] = "String[]",
    };

    private static readonly Dictionary<string, Type> Types = new(StringComparer.OrdinalIgnoreCase)
    {
        ["String"] = typeof(string), ["Int32"] = typeof(int), ["Int64"] = typeof(long), ["Double"] = typeof(double),
        ["Single"] = typeof(double), ["Decimal"] = typeof(decimal), ["Boolean"] = typeof(bool), ["Object"] = typeof(object),
        ["DateTimeOffset"] = typeof(DateTimeOffset), ["DateTime"] = typeof(DateTime), ["TimeSpan"] = typeof(TimeSpan),
    };

    public static string Of(Type type) => Names.TryGetValue(type, out var name) ? name : type.Name;

    /// <summary>The CLR type for an Elsa type name; unknown names (e.g. custom records) are treated as Object.</summary>
    public static Type ToClr(string? typeName) =>
        typeName is not null && Types.TryGetValue(typeName, out var type) ? type : typeof(object);
}
