using Manyi.Engine.Model;
using Manyi.Engine.Serialization;

namespace Manyi.Web.Features.WorkflowDefinitions;

/// <summary>A workflow a new one can start from: its key (the file's name) and the name it is offered under.</summary>
public sealed record WorkflowTemplate(string Key, string Name, string? Description);

/// <summary>
/// The templates a new workflow starts from: the Elsa 3 JSON files of <c>Features/WorkflowDefinitions/Templates</c>,
/// built into the assembly (<see cref="Blank"/> is the empty flowchart). A template is data, not code: adding one is
/// adding a file.
/// </summary>
public static class WorkflowTemplates
{
    public const string Blank = "blank";
    private const string Prefix = "templates/";

    private static readonly Lazy<IReadOnlyDictionary<string, string>> Files = new(() =>
    {
        var assembly = typeof(WorkflowTemplates).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && n.EndsWith(".json", StringComparison.Ordinal))
            .ToDictionary(n => n[Prefix.Length..^".json".Length], n =>
            {
                using var reader = new StreamReader(assembly.GetManifestResourceStream(n)!);
                return reader.ReadToEnd();
            });
    });

    /// <summary>Every template, the blank one first.</summary>
    public static IReadOnlyList<WorkflowTemplate> All { get; } =
    [
        .. Files.Value.OrderBy(f => f.Key == Blank ? 0 : 1).ThenBy(f => f.Key, StringComparer.Ordinal)
            .Select(f =>
            {
                var definition = ElsaJson.Read(f.Value);
                return new WorkflowTemplate(f.Key, definition.Name ?? f.Key, definition.Description);
            }),
    ];

    /// <summary>A fresh copy of the template's definition to change and save; null for an unknown key.</summary>
    public static WorkflowDefinition? Read(string key) => Files.Value.TryGetValue(key, out var json) ? ElsaJson.Read(json) : null;
}
