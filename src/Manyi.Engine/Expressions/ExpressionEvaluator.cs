using System.Text.Json.Nodes;
using Manyi.Engine.Model;
using Manyi.Engine.Tasks;
using Microsoft.Extensions.DependencyInjection;

namespace Manyi.Engine.Expressions;

/// <summary>Evaluates an input's expression by its type: Literal, JavaScript, Liquid or Variable.</summary>
public sealed class ExpressionEvaluator(JavaScriptEvaluator javaScript, LiquidEvaluator liquid)
{
    public static readonly IReadOnlyList<string> SupportedTypes = [Expression.Literal, Expression.JavaScript, Expression.Liquid, Expression.Variable, Expression.Object, Expression.Organizations];

    /// <summary>The problem with an expression before it ever runs (unsupported language, syntax error), or null.</summary>
    public string? Check(Expression expression, IReadOnlyCollection<VariableDefinition> variables) => expression.Type switch
    {
        Expression.Literal => null,
        Expression.JavaScript => javaScript.Check(expression.Text ?? "") is { } error ? $"JavaScript does not parse: {error}" : null,
        Expression.Liquid => liquid.Check(expression.Text ?? "") is { } error ? $"Liquid does not parse: {error}" : null,
        Expression.Variable => VariableName(expression) is { } name && variables.Any(v => v.Name == name || v.Id == name)
            ? null
            : $"refers to the variable '{VariableName(expression)}', which the workflow does not declare",
        Expression.Object => ReadObject(expression) is null && expression.Value is not null ? "is not valid JSON" : null,
        Expression.Organizations => OrganizationSelection.Parse(expression.Value, out var problem) is null ? problem : null,
        // Elsa runs C# with full access to the server; Manyi has no sandbox for it, so it never runs C#.
        "CSharp" => "C# is refused: Manyi cannot run C# in a sandbox, and outside one it could do anything the server can; write it in JavaScript or Liquid",
        _ => $"the expression type '{expression.Type}' is unknown; use one of {string.Join(", ", SupportedTypes)}",
    };

    /// <summary>
    /// The expression's value as <paramref name="target"/>. An <c>Organizations</c> choice is resolved through the
    /// <see cref="IOrganizationCatalogue"/> of <paramref name="services"/> (the running burst's), now.
    /// </summary>
    public async ValueTask<object?> EvaluateAsync(Expression expression, Type target, IExpressionScope scope, CancellationToken cancellationToken,
        IServiceProvider? services = null)
    {
        object? raw = expression.Type switch
        {
            Expression.Organizations => await ResolveOrganizationsAsync(expression, services, cancellationToken),
            Expression.Literal => expression.Value,
            Expression.JavaScript => javaScript.Evaluate(expression.Text ?? "", scope, cancellationToken),
            Expression.Liquid => await liquid.RenderAsync(expression.Text ?? "", scope),
            Expression.Variable => ReadVariable(expression, scope),
            Expression.Object => ReadObject(expression),
            _ => throw new ExpressionException(Check(expression, scope.VariableDefinitions.ToList()) ?? $"Unsupported expression type '{expression.Type}'."),
        };
        try
        {
            return ValueConverter.Convert(raw, target);
        }
        catch (InvalidCastException ex)
        {
            throw new ExpressionException($"The {expression.Type} expression gave a value that is not a valid {Activities.TypeNames.Of(target)}: {ex.Message}", ex);
        }
    }

    private static async Task<JsonNode> ResolveOrganizationsAsync(Expression expression, IServiceProvider? services, CancellationToken cancellationToken)
    {
        var selection = OrganizationSelection.Parse(expression.Value, out var problem) ?? throw new ExpressionException(problem!);
        var catalogue = services?.GetService<IOrganizationCatalogue>()
            ?? throw new ExpressionException("the organizations are chosen from the list of organizations, but this host has no such list");
        var ids = await catalogue.ResolveAsync(selection, cancellationToken);
        return new JsonArray([.. ids.Select(id => (JsonNode?)JsonValue.Create(id))]);
    }

    private static JsonNode? ReadVariable(Expression expression, IExpressionScope scope)
    {
        var name = VariableName(expression) ?? throw new ExpressionException("A Variable expression needs the variable's name.");
        var definition = scope.VariableDefinitions.FirstOrDefault(v => v.Name == name || v.Id == name)
            ?? throw new ExpressionException($"The workflow has no variable '{name}'.");
        return scope.GetVariable(definition.Name);
    }

    /// <summary>An Object expression's JSON: a string value parsed, any other JSON as it is; null when the text is not JSON.</summary>
    private static JsonNode? ReadObject(Expression expression)
    {
        if (expression.Value is not JsonValue value || !value.TryGetValue<string>(out var text)) return expression.Value?.DeepClone();
        try
        {
            return JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>A Variable expression's value is the variable's name (or id), or an object with <c>name</c>/<c>id</c>.</summary>
    private static string? VariableName(Expression expression) => expression.Value switch
    {
        JsonObject reference => (string?)reference["name"] ?? (string?)reference["id"],
        _ => expression.Text,
    };
}
