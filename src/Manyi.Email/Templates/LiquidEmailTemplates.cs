using System.Collections.Frozen;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Text.Unicode;
using Fluid;
using Manyi.Engine.Expressions;
using Manyi.Engine.Runtime;

namespace Manyi.Email.Templates;

/// <summary>
/// E-mail templates in Liquid (Fluid), one set per kind: <c>&lt;kind&gt;.subject.liquid</c>, <c>&lt;kind&gt;.text.liquid</c> and
/// optionally <c>&lt;kind&gt;.html.liquid</c>, Simplified Chinese first, then English. The built-in ones are embedded; files
/// in <see cref="EmailOptions.TemplatesDirectory"/> replace or add to them. Every template is parsed when the set is
/// loaded, at start-up, and a syntax error names its file.
/// </summary>
/// <remarks>
/// The models the built-in kinds read:
/// <list type="bullet">
/// <item><c>reminder</c>, <c>overdue</c>, <c>escalation</c> (the engine's reminder ladder): <c>title</c>, <c>deadline</c>
/// (an instant), <c>daysLeft</c> (negative once overdue), <c>passed</c> (the deadline is past as it is sent), <c>step</c>, <c>workflowInstanceId</c>, <c>correlationId</c>;
/// optional <c>organization</c> (else the correlation id), <c>link</c>, <c>recipientName</c>.</item>
/// <item><c>notice</c>: <c>title</c>, <c>body</c>; optional <c>titleEn</c>, <c>bodyEn</c>, <c>deadline</c>, <c>link</c>.</item>
/// <item><c>generic</c>: <c>subject</c>, <c>body</c> (plain text); optional <c>link</c>.</item>
/// </list>
/// Every template also sees <c>zone.zh</c> and <c>zone.en</c>, the name of the time zone dates are shown in, and the
/// filters <c>zh_date</c>, <c>zh_datetime</c>, <c>en_date</c>, <c>en_datetime</c> and <c>http_url</c>.
/// HTML templates escape every value; text templates and subjects do not.
/// </remarks>
public sealed partial class LiquidEmailTemplates : IEmailTemplates
{
    public static readonly IReadOnlyList<string> BuiltInKinds = ["reminder", "overdue", "escalation", "notice", "generic", "rating", "robot"];

    private const string ResourcePrefix = "Manyi.Email.Templates.";
    private static readonly FluidParser Parser = new();
    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);

    private readonly FrozenDictionary<string, TemplateSet> _kinds;
    private readonly TemplateOptions _options;
    private readonly Dictionary<string, object?> _zone;

    private LiquidEmailTemplates(FrozenDictionary<string, TemplateSet> kinds, TimeZoneInfo zone)
    {
        _kinds = kinds;
        _options = new TemplateOptions { TimeZone = zone, CultureInfo = CultureInfo.GetCultureInfo("zh-CN") };
        LiquidFilters.Register(_options.Filters, zone);
        var beijing = zone.Id is "Asia/Shanghai" or "China Standard Time";
        _zone = new Dictionary<string, object?> { ["zh"] = beijing ? "北京时间" : zone.Id, ["en"] = beijing ? "Beijing time" : zone.Id };
    }

    public IEnumerable<string> Kinds => _kinds.Keys.Order();

    /// <summary>Loads and parses every template; throws <see cref="EmailTemplateException"/> naming each file that is wrong.</summary>
    public static LiquidEmailTemplates Load(EmailOptions options)
    {
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(options.TimeZone, out var zone))
            throw new InvalidOperationException($"Manyi:Email:TimeZone: '{options.TimeZone}' is not a known time zone; use an IANA name such as Asia/Shanghai.");

        var sources = new Dictionary<string, (string Text, string Origin)>(StringComparer.OrdinalIgnoreCase);
        var assembly = typeof(LiquidEmailTemplates).Assembly;
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
            var file = resource[ResourcePrefix.Length..];
            sources[file] = (reader.ReadToEnd(), $"built-in template {file}");
        }
        if (!string.IsNullOrWhiteSpace(options.TemplatesDirectory))
        {
            var folder = Path.GetFullPath(options.TemplatesDirectory);
            if (!Directory.Exists(folder))
                throw new EmailTemplateException([$"Manyi:Email:TemplatesDirectory: the folder {folder} does not exist"]);
            foreach (var path in Directory.EnumerateFiles(folder, "*.liquid"))
                sources[Path.GetFileName(path)] = (File.ReadAllText(path), path);
        }

        var problems = new List<string>();
        var parts = new Dictionary<string, Dictionary<string, IFluidTemplate>>(StringComparer.OrdinalIgnoreCase);
        foreach (var (file, (text, origin)) in sources.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            var match = FileName().Match(file);
            if (!match.Success)
            {
                problems.Add($"{origin}: the name must be <kind>.subject.liquid, <kind>.text.liquid or <kind>.html.liquid");
                continue;
            }
            if (!Parser.TryParse(text, out var template, out var error))
            {
                // Fluid appends the whole source after "Source:"; the position in the message is what helps.
                var reason = error.Split("Source:", 2)[0].ReplaceLineEndings(" ").Trim();
                problems.Add($"{origin}: {reason}");
                continue;
            }
            var kind = match.Groups["kind"].Value.ToLowerInvariant();
            if (!parts.TryGetValue(kind, out var set)) parts[kind] = set = new(StringComparer.OrdinalIgnoreCase);
            set[match.Groups["part"].Value] = template;
        }
        foreach (var (kind, set) in parts)
            foreach (var required in new[] { "subject", "text" }.Where(p => !set.ContainsKey(p)))
                if (!problems.Any(p => p.Contains($"{kind}.{required}.liquid", StringComparison.OrdinalIgnoreCase)))
                    problems.Add($"e-mail kind '{kind}' has no {kind}.{required}.liquid");
        if (problems.Count > 0) throw new EmailTemplateException(problems);

        return new LiquidEmailTemplates(
            parts.ToFrozenDictionary(p => p.Key, p => new TemplateSet(p.Value["subject"], p.Value["text"], p.Value.GetValueOrDefault("html"))),
            zone);
    }

    public async ValueTask<RenderedEmail> RenderAsync(string kind, JsonObject model, CancellationToken cancellationToken)
    {
        if (!_kinds.TryGetValue(kind, out var set))
            throw new InvalidOperationException($"There is no e-mail template for the kind '{kind}'; the kinds are: {string.Join(", ", Kinds)}.");

        var context = new TemplateContext(_options);
        foreach (var (name, value) in model)
            context.SetValue(name, Manyi.Engine.Expressions.LiquidEvaluator.ToPlain(value));
        context.SetValue("zone", _zone);

        var subject = await set.Subject.RenderAsync(context, NullEncoder.Default);
        var text = await set.Text.RenderAsync(context, NullEncoder.Default);
        var html = set.Html is null ? null : await set.Html.RenderAsync(context, Html);
        return new RenderedEmail(Whitespace().Replace(subject, " ").Trim(), TidyText(text), html?.Trim());
    }

    /// <summary>Lines without trailing blanks, at most one empty line in a row (template tags leave some behind).</summary>
    private static string TidyText(string text)
    {
        var lines = text.ReplaceLineEndings("\n").Split('\n').Select(l => l.TrimEnd());
        return BlankLines().Replace(string.Join("\n", lines), "\n\n").Trim() + "\n";
    }

    private sealed record TemplateSet(IFluidTemplate Subject, IFluidTemplate Text, IFluidTemplate? Html);

    [GeneratedRegex(@"^(?<kind>[A-Za-z0-9_-]+)\.(?<part>subject|text|html)\.liquid$", RegexOptions.IgnoreCase)]
    private static partial Regex FileName();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"\n{3,}")]
    private static partial Regex BlankLines();
}
