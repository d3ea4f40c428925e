using System.Text.RegularExpressions;
using Deque.AxeCore.Commons;
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
            clone.querySelectorAll(english ? 'script, style, [data-raw]' : '.manyi-en, [lang=en], script, style, title, code, pre, [data-raw]').forEach(e => e.remove());
            clone.querySelectorAll('*').forEach(e => e.append(' '));
            return clone.textContent.replace(/\s+/g, ' ');
        }
        """;

    public static async Task<IReadOnlyList<string>> WiderThanScreenAsync(IPage page)
    {
        var overflow = await page.EvaluateAsync<int>("document.documentElement.scrollWidth - window.innerWidth");
        if (overflow <= 0) return [];
        // Name the element that reaches furthest right (outside any box that scrolls it), so that the fix is found at once.
        var culprit = await page.EvaluateAsync<string>("""
            () => {
                let worst = null, right = window.innerWidth;
                for (const e of document.querySelectorAll('body *')) {
                    const r = e.getBoundingClientRect();
                    if (r.width === 0 || r.right <= right) continue;
                    let clipped = false;
                    for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
                        const o = getComputedStyle(p).overflowX;
                        if (o === 'auto' || o === 'scroll' || o === 'hidden') { clipped = true; break; }
                    }
                    // An absolutely placed element escapes a scrolling box that is not its containing block.
                    if (!clipped || getComputedStyle(e).position === 'absolute') { worst = e; right = r.right; }
                }
                if (!worst) return '';
                const name = worst.tagName.toLowerCase() + (worst.id ? '#' + worst.id : '') + [...worst.classList].slice(0, 3).map(c => '.' + c).join('')
                    + (worst.dataset.testid ? `[data-testid=${worst.dataset.testid}]` : '');
                return `${name} reaches ${Math.round(right)} px`;
            }
            """);
        return [$"{page.Url}: the page is {overflow} px wider than the {page.ViewportSize?.Width} px screen{(culprit.Length > 0 ? $" ({culprit})" : "")}"];
    }

    /// <param name="ids">Internal ids (organizations) that must never be read; 32-digit instance and task ids are looked for too.</param>
    /// <remarks>
    /// A code is wrong where it stands alone in Chinese text (<c>流程状态 Suspended</c>). It is fine as the English after
    /// its Chinese name (<c>等待中 Suspended</c>), and as a word of an English sentence (<c>attend the training</c>):
    /// next to another English word. Raw data an administrator opens on purpose (an instance's JSON, marked
    /// <c>data-raw</c>) is not read for ids.
    /// </remarks>
    public static async Task<IReadOnlyList<string>> CodesReadAsync(IPage page, IEnumerable<string> ids)
    {
        var text = await page.EvaluateAsync<string>(PageText, false);
        var all = await page.EvaluateAsync<string>(PageText, true);
        var problems = new List<string>();
        var idsRead = ids.Where(id => Regex.IsMatch(all, $@"(?<![\w.-]){Regex.Escape(id)}(?![\w-])"))
            .Concat(Regex.Matches(all, @"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])").Select(m => m.Value)).Distinct().ToList();
        if (idsRead.Count > 0) problems.Add($"{page.Url}: {idsRead.Count} internal ids are read, e.g. {string.Join(", ", idsRead.Take(3))}");
        foreach (var (code, zh) in DisplayNames.Codes)
            foreach (Match match in Regex.Matches(text, $@"(?<![\w.-]){Regex.Escape(code)}(?![\w-])"))
            {
                // The word before, past numbers: "Publish the 2025 notice" is English.
                var before = text[..match.Index].TrimEnd().TrimEnd("0123456789 ".ToCharArray());
                var after = text[(match.Index + code.Length)..].TrimStart();
                if (before[Math.Max(0, before.Length - 12)..].Contains(zh, StringComparison.Ordinal)) continue;
                if (before.Length > 0 && char.IsAsciiLetter(before[^1]) || after.Length > 0 && char.IsAsciiLetter(after[0])) continue;
                var from = Math.Max(0, match.Index - 30);
                problems.Add($"{page.Url}: '{code}' is read in Chinese mode: …{text[from..Math.Min(text.Length, match.Index + code.Length + 30)]}…");
            }
        problems.AddRange(Regex.Matches(text, @"(?<![\w.])(Elsa|Manyi)\.[A-Z]\w+").Select(m => m.Value).Distinct()
            .Select(type => $"{page.Url}: the type name '{type}' is read"));
        return [.. problems.Distinct()];
    }

    /// <summary>
    /// Every box that scrolls sideways on this screen (its content wider than it) is a region a keyboard reaches and a
    /// screen reader names: <c>tabindex="0"</c> and an <c>aria-label</c> (or <c>aria-labelledby</c>), as the journal's is.
    /// </summary>
    public static async Task<IReadOnlyList<string>> UnlabelledScrollRegionsAsync(IPage page)
    {
        var found = await page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('main *, .mud-main-content *')]
                .filter(e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX) && e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0)
                .filter(e => !(e.tabIndex >= 0 && (e.getAttribute('aria-label') || e.getAttribute('aria-labelledby'))))
                .map(e => e.tagName.toLowerCase() + [...e.classList].slice(0, 3).map(c => '.' + c).join('') + (e.dataset.testid ? `[data-testid=${e.dataset.testid}]` : '')
                    + ` (${e.scrollWidth} px in ${e.clientWidth} px)`)
            """);
        return [.. found.Distinct().Select(f => $"{page.Url} @{page.ViewportSize?.Width}: a sideways scroll region without tabindex and a label: {f}")];
    }

    /// <summary>axe-core as Deque.AxeCore.Commons bundles it.</summary>
    private static readonly Lazy<string> AxeScript = new(() =>
    {
        using var stream = typeof(AxeRunOptions).Assembly.GetManifestResourceStream("Deque.AxeCore.Commons.Resources.axe.min.js")
            ?? throw new InvalidOperationException("Deque.AxeCore.Commons no longer bundles axe.min.js under this name.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    /// <summary>
    /// The serious and critical violations of WCAG 2.1 A and AA that axe finds on the page. axe runs in the page itself,
    /// injected once per document. (Deque.AxeCore.Playwright's <c>RunAxe</c> opened a fresh browser page on every call to
    /// finish its run there: 2.5–9 s a page, three quarters of a walk's time, against 0.1–2 s this way. The app's pages
    /// have no frames for axe to reach into.)
    /// </summary>
    public static async Task<IReadOnlyList<string>> AxeViolationsAsync(IPage page)
    {
        if (!await page.EvaluateAsync<bool>("() => typeof window.axe?.run === 'function'"))
            await page.EvaluateAsync($"() => {{ {AxeScript.Value} }}");
        var found = await page.EvaluateAsync<string[]>("""
            async () => {
                const result = await axe.run(document, {
                    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
                    resultTypes: ['violations'],
                    iframes: false,
                });
                return result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                    .flatMap(v => v.nodes.slice(0, 2).map(n => `axe ${v.impact} ${v.id}: ${n.target.join(' ')} — ${[...n.any, ...n.all, ...n.none].map(c => c.message)[0] ?? ''}`));
            }
            """);
        return [.. found.Select(f => $"{page.Url} @{page.ViewportSize?.Width}: {f}")];
    }
}
