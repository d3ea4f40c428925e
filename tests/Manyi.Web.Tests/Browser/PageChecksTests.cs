using Microsoft.Playwright;

namespace Manyi.Web.Tests.Browser;

/// <summary>The page checks every walk relies on find what they look for: a check that finds nothing on a bad page passes every page.</summary>
public sealed class PageChecksTests
{
    [Fact]
    public async Task Axe_reports_a_nameless_button_and_unreadable_text_and_nothing_on_a_clean_page()
    {
        var page = await BrowserApp.NewBlankPageAsync();
        try
        {
            await page.SetContentAsync("""
                <!doctype html><html lang="zh-CN"><head><title>坏页面</title></head><body><main>
                <h1>坏页面 A bad page</h1>
                <button><svg width="10" height="10"></svg></button>
                <p style="color:#bbb;background:#fff">浅灰色的字 Light grey text</p>
                </main></body></html>
                """);
            var bad = await PageChecks.AxeViolationsAsync(page);
            Assert.Contains(bad, p => p.Contains("axe critical button-name", StringComparison.Ordinal));
            Assert.Contains(bad, p => p.Contains("axe serious color-contrast", StringComparison.Ordinal));

            await page.SetContentAsync("""
                <!doctype html><html lang="zh-CN"><head><title>好页面</title></head><body><main>
                <h1>好页面 A good page</h1><button>保存 Save</button><p>黑色的字 Black text</p>
                </main></body></html>
                """);
            Assert.Empty(await PageChecks.AxeViolationsAsync(page));
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task A_box_that_scrolls_sideways_needs_a_label_and_the_page_itself_must_fit_the_screen()
    {
        var page = await BrowserApp.NewBlankPageAsync(390, 844);
        try
        {
            await page.SetContentAsync("""
                <!doctype html><html lang="zh-CN"><head><title>宽</title></head><body style="margin:0"><main>
                <div data-testid="wide-table" style="overflow-x:auto;width:300px"><div style="width:900px">很宽的表格 A wide table</div></div>
                <div style="width:600px">太宽的一行 Too wide a line</div>
                </main></body></html>
                """);
            Assert.Contains(await PageChecks.UnlabelledScrollRegionsAsync(page), p => p.Contains("[data-testid=wide-table]", StringComparison.Ordinal));
            Assert.Contains(await PageChecks.WiderThanScreenAsync(page), p => p.Contains("wider than the 390 px screen", StringComparison.Ordinal));

            await page.SetContentAsync("""
                <!doctype html><html lang="zh-CN"><head><title>窄</title></head><body style="margin:0"><main>
                <div tabindex="0" aria-label="表格 Table" style="overflow-x:auto;width:300px"><div style="width:900px">很宽的表格 A wide table</div></div>
                </main></body></html>
                """);
            Assert.Empty(await PageChecks.UnlabelledScrollRegionsAsync(page));
            Assert.Empty(await PageChecks.WiderThanScreenAsync(page));
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }
}
