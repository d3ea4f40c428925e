using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Manyi.Persistence;
using Manyi.Persistence.Records;
using Manyi.Testing;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Manyi.Web.Tests.Browser;

/// <summary>
/// The web host with <see cref="ManyiApp"/>'s settings (its own SQLite data, no demo data, the bootstrap administrator),
/// listening on a real port so that Debian's Chromium, driven by Playwright, can open it. Never downloads a browser:
/// without <c>/usr/bin/chromium</c> the test skips, or fails in CI (<c>CI=true</c>), where <c>.ci/run</c> installs it.
/// </summary>
public sealed class BrowserApp : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>One Chromium for the test process (it takes a second or two to start); each app's pages get contexts of their own.</summary>
    private static readonly Lazy<Task<IBrowser>> Chromium = new(LaunchChromiumAsync);

    private readonly ManyiStorage _storage;
    private readonly ManyiApp _settings;
    private readonly WebApplicationFactory<Program> _factory;
    private readonly List<IBrowserContext> _contexts = [];
    private readonly List<string> _policyViolations = [];

    /// <summary>What the browser refused under the Content-Security-Policy, on any page opened so far (an inline handler, say).</summary>
    public IReadOnlyList<string> PolicyViolations
    {
        get { lock (_policyViolations) return [.. _policyViolations]; }
    }

    private BrowserApp(ManyiStorage storage, ManyiApp settings, WebApplicationFactory<Program> factory, Uri address, IBrowser browser)
    {
        _storage = storage;
        _settings = settings;
        _factory = factory;
        Address = address;
        Browser = browser;
    }

    /// <summary>Where the app listens, e.g. <c>http://127.0.0.1:40123/</c>.</summary>
    public Uri Address { get; }

    public IBrowser Browser { get; }

    public IServiceProvider Services => _factory.Services;

    /// <summary>Where screenshots go: <c>screenshots/</c> in the test output folder.</summary>
    public static string ScreenshotDirectory => Path.Combine(AppContext.BaseDirectory, "screenshots");

    /// <param name="configure">Settings for this app beyond ManyiApp's (e.g. the demo data on), applied before it starts.</param>
    public static async Task<BrowserApp> StartAsync(Action<ManyiApp>? configure = null)
    {
        RequireChromium();
        var storage = await ManyiStorage.CreateMigratedAsync("sqlite");
        // ManyiApp's configuration, on Kestrel instead of the in-memory test server. Only the derived factory ever starts.
        var settings = new ManyiApp(storage);
        configure?.Invoke(settings);
        var factory = settings.WithWebHostBuilder(_ => { });
        factory.UseKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, 0));
        factory.StartServer();
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(a => new Uri(a.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("localhost", "127.0.0.1", StringComparison.Ordinal)))
            .First();
        // Two cores running the whole suite at once: a page can take longer than Playwright's 5 s default to answer.
        Assertions.SetDefaultExpectTimeout(20_000);
        Directory.CreateDirectory(ScreenshotDirectory);
        return new BrowserApp(storage, settings, factory, address, await Chromium.Value);
    }

    /// <summary>A page of no app, for what a test writes into it with <c>SetContentAsync</c>; closed with its context.</summary>
    public static async Task<IPage> NewBlankPageAsync(int width = 1280, int height = 800)
    {
        RequireChromium();
        var context = await (await Chromium.Value).NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        return await context.NewPageAsync();
    }

    private static void RequireChromium()
    {
        if (File.Exists(ChromiumPath)) return;
        var reason = $"Chromium is not installed at {ChromiumPath}: apt-get install chromium (the browser tests never download a browser).";
        if (PostgresServer.IsCi) throw new InvalidOperationException(reason);
        Assert.Skip(reason);
    }

    private static async Task<IBrowser> LaunchChromiumAsync()
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox"],
        });
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            browser.DisposeAsync().AsTask().GetAwaiter().GetResult();
            playwright.Dispose();
        };
        return browser;
    }

    /// <summary>A fresh browser context (its own cookies) on a Chinese-language desktop-sized window.</summary>
    public async Task<IPage> NewPageAsync(int width = 1280, int height = 800)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Address.ToString(),
            Locale = "zh-CN",
            TimezoneId = "Asia/Shanghai",
            ViewportSize = new ViewportSize { Width = width, Height = height },
        });
        context.SetDefaultTimeout(30_000);
        lock (_contexts) _contexts.Add(context);
        var page = await context.NewPageAsync();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
                lock (_policyViolations) _policyViolations.Add(message.Text);
        };
        return page;
    }

    /// <summary>Signs in on the sign-in page (opened first when the page is elsewhere) and waits for the signed-in page to run interactively.</summary>
    public static async Task SignInAsync(IPage page, string email, string password = ManyiApp.UserPassword)
    {
        if (!page.Url.Contains("/account/login", StringComparison.Ordinal)) await page.GotoAsync("/account/login");
        await page.GetByLabel(new System.Text.RegularExpressions.Regex("电子邮箱")).FillAsync(email);
        await page.GetByLabel(new System.Text.RegularExpressions.Regex("密码")).FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "登录 Sign in" }).ClickAsync();
        await WaitForInteractiveAsync(page);
    }

    /// <summary>
    /// Waits until the page's circuit runs (the layout sets <c>data-interactive="true"</c> after its first interactive
    /// render): before that, a click on a button that needs the circuit does nothing.
    /// </summary>
    public static Task WaitForInteractiveAsync(IPage page) =>
        Assertions.Expect(page.GetByTestId("layout")).ToHaveAttributeAsync("data-interactive", "true");

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });

    /// <summary>
    /// The whole page, and as <c>name-screen.png</c> the screen with <paramref name="part"/> scrolled to its top: a part
    /// inside a panel that scrolls on its own shows in the whole-page picture only as far as the panel is scrolled.
    /// </summary>
    public static async Task ScreenshotAsync(IPage page, ILocator part, string name)
    {
        await ScreenshotAsync(page, name);
        await part.EvaluateAsync("e => e.scrollIntoView({ block: 'start' })");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + "-screen.png") });
    }

    /// <summary>An API client over the real port, signed in with a bearer token (the bootstrap administrator by default).</summary>
    public async Task<HttpClient> CreateApiClientAsync(string email = ManyiApp.AdminEmail, string password = ManyiApp.AdminPassword)
    {
        var client = new HttpClient { BaseAddress = Address };
        using var response = await client.PostAsJsonAsync("/api/auth/login", new { email, password }, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (string)body!["accessToken"]!);
        return client;
    }

    /// <summary>A participant who acts for an organization (created with that name if missing).</summary>
    public Task<ManyiUser> CreateParticipantAsync(string email, string organizationId, string organizationName) =>
        ManyiApp.CreateUserAsync(Services, email, ManyiRoles.Participant, (organizationId, organizationName));

    public async ValueTask DisposeAsync()
    {
        foreach (var context in _contexts) await context.DisposeAsync();
        await _factory.DisposeAsync();
        await _settings.DisposeAsync();
        await _storage.DisposeAsync();
    }
}
