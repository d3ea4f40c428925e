using Microsoft.Playwright;

namespace Manyi.Web.Tests.Browser;

/// <summary>
/// An expression input of the designer's property panel, typed into as a person does: its code editor (Monaco) is
/// clicked, its text replaced and left, which hands the text to the page (as a textarea's change would).
/// </summary>
internal static class ExpressionInput
{
    public static ILocator Editor(IPage page, string input) =>
        page.Locator($"[data-testid=input][data-input={input}] [data-testid=code-editor]");

    /// <summary>Replaces the expression's text with <paramref name="text"/> (inserted as it is, without the editor's closing brackets) and leaves the editor.</summary>
    public static async Task FillAsync(IPage page, string input, string text)
    {
        await FocusAsync(page, input);
        await page.Keyboard.PressAsync("Control+A");
        await page.Keyboard.InsertTextAsync(text);
        await LeaveAsync(page);
    }

    public static async Task FocusAsync(IPage page, string input)
    {
        var editor = Editor(page, input);
        await Assertions.Expect(editor.Locator(".monaco-editor").First).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await editor.Locator(".view-lines").ClickAsync();
    }

    public static Task LeaveAsync(IPage page) => page.EvaluateAsync("() => document.activeElement?.blur()");
}
