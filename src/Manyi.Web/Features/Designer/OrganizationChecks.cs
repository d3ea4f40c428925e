using System.Text.Json.Nodes;
using Manyi.Engine.Model;
using Manyi.Engine.Tasks;
using Manyi.Engine.Validation;
using Manyi.Web.Features.Organizations;

namespace Manyi.Web.Features.Designer;

/// <summary>
/// What the designer's problems list says about the organizations an activity names, against the organization list
/// as it is: an id chosen one by one that the list does not know is an error (the task would go to nobody); a choice
/// (an operator's, a city's) that means no organization now is a warning (the list may grow before it runs).
/// </summary>
public static class OrganizationChecks
{
    public const string Input = "organizations";

    public static IEnumerable<ValidationProblem> Of(ActivityNode root, IReadOnlyList<OrganizationSummary> known)
    {
        var ids = known.Select(o => o.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var node in Walk(root))
        {
            if (Expression.FromInputProperty(node.Properties[Input]) is not { } expression) continue;
            if (expression is { Type: Expression.Literal, Value: JsonArray list })
            {
                foreach (var id in list.Select(i => i is JsonValue v && v.TryGetValue<string>(out var s) ? s : null).OfType<string>()
                             .Where(id => id.Length > 0 && !ids.Contains(id)).Distinct())
                    yield return new ValidationProblem(Severity.Error,
                        $"参评单位名单中没有编号“{id}”：请在选择器中移除它。 No organization has the id '{id}': remove it in the picker.", node.Id, node.Type, Input);
            }
            else if (expression.Type == Expression.Organizations && OrganizationSelection.Parse(expression.Value, out _) is { } choice
                     && !known.Any(o => (choice.Operator is null || o.Operator == choice.Operator) && (choice.City is null || o.City == choice.City)))
            {
                var which = string.Join(" ", new[] { choice.Operator, choice.City }.OfType<string>());
                yield return new ValidationProblem(Severity.Warning, choice.IsAll
                    ? "参评单位名单现在是空的：运行时若仍为空，这个活动没有任何单位。 The organization list is empty now: if it still is when this runs, the activity has no organization."
                    : $"名单中现在没有“{which}”的参评单位：运行时若仍没有，这个活动没有任何单位。 No organization of the list is '{which}' now: if none is when this runs, the activity has no organization.",
                    node.Id, node.Type, Input);
            }
        }
    }

    private static IEnumerable<ActivityNode> Walk(ActivityNode node)
    {
        yield return node;
        foreach (var child in node.Activities ?? [])
            foreach (var descendant in Walk(child))
                yield return descendant;
    }
}
