using System.Text.RegularExpressions;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Manyi.Web.Components;
using Microsoft.Playwright;

namespace Manyi.Web.Tests.Browser;

/// <summary>
/// What every page owes the people who read it, checked on the page as the browser shows it: it fits the screen
/// without sideways scrolling of the page itself, no code of the catalogue (<see cref="DisplayNames.Codes"/>) nor any
/// internal id is read in Chinese mode except as the English after its Chinese name, and axe finds no serious or
/// critical violation. Each returns what is wrong (empty when all is well), so that a walk over many pages reports
/// every fault at once.
/// </summary>
public static class PageChecks
{
    /// <summary>The page's own text; for the codes, as a reader of Chinese reads it: without the small English print, code samples and SVG tooltips.</summary>
    private const string PageText = """
        (english) => {
            const root = document.querySelector('main') || document.querySelector('.mud-main-content') || document.body;
            const clone = root.cloneNode(true);
            clone.querySelectorAll(english ? 'script, style' : '.manyi-en, [lang=en], script, style, title, code, pre').forEach(e => e.remove());
            clone.querySelectorAll('*').forEach(e => e.append(' '));
            return clone.textContent.replace(/\s+/g, ' ');
        }
        """;

    public static async Task<IReadOnlyList<string>> WiderThanScreenAsync(IPage page)
    {
        var overflow = await page.EvaluateAsync<int>("document.documentElement.scrollWidth - window.innerWidth");
        return overflow > 0 ? [$"{page.Url}: the page is {overflow} px wider than the {page.ViewportSize?.Width} px screen"] : [];
    }

    /// <param name="ids">Internal ids (organizations, instances, tasks) that must never be read.</param>
    public static async Task<IReadOnlyList<string>> CodesReadAsync(IPage page, IEnumerable<string> ids)
    {
        var text = await page.EvaluateAsync<string>(PageText, false);
        var all = await page.EvaluateAsync<string>(PageText, true);
        var problems = new List<string>();
        foreach (var id in ids.Where(id => Regex.IsMatch(all, $@"(?<![\w.-]){Regex.Escape(id)}(?![\w-])")))
            problems.Add($"{page.Url}: the id '{id}' is read");
        foreach (var (code, zh) in DisplayNames.Codes)
            foreach (Match match in Regex.Matches(text, $@"(?<![\w.-]){Regex.Escape(code)}(?![\w-])"))
            {
                var before = text[..match.Index].TrimEnd();
                if (before.EndsWith(zh, StringComparison.Ordinal)) continue;
                var from = Math.Max(0, match.Index - 30);
                problems.Add($"{page.Url}: '{code}' is read in Chinese mode: …{text[from..Math.Min(text.Length, match.Index + code.Length + 30)]}…");
            }
        foreach (Match match in Regex.Matches(text, @"(?<![\w.])(Elsa|Manyi)\.[A-Z]\w+"))
            problems.Add($"{page.Url}: the type name '{match.Value}' is read");
        foreach (Match match in Regex.Matches(all, @"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])"))
            problems.Add($"{page.Url}: the id '{match.Value}' is read");
        return problems;
    }

    public static async Task<IReadOnlyList<string>> AxeViolationsAsync(IPage page)
    {
        var result = await page.RunAxe(new AxeRunOptions
        {
            RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
            ResultTypes = [ResultType.Violations],
        });
        return [.. result.Violations
            .Where(v => v.Impact is "serious" or "critical")
            .SelectMany(v => v.Nodes.Take(3).Select(n => $"{page.Url} @{page.ViewportSize?.Width}: axe {v.Impact} {v.Id}: {string.Join(" ", n.Target)} — {n.Any.Concat(n.All).Concat(n.None).Select(c => c.Message).FirstOrDefault()}"))];
    }
}
