using System.Globalization;

namespace Manyi.Web.Components;

/// <summary>
/// The language a person reads the web app in: Simplified Chinese (the default, with the English in small print) or
/// English alone. The choice sticks in a cookie for a year; <see cref="Bilingual"/> reads it from here.
/// </summary>
public sealed record UiLanguage(bool IsEnglish)
{
    public const string Cookie = "manyi.lang";
    public const string SwitchPath = "/language";

    public static readonly UiLanguage Chinese = new(false);
    public static readonly UiLanguage English = new(true);

    public string HtmlLang => IsEnglish ? "en" : "zh-CN";

    /// <summary>
    /// The UI culture of a page request (and of the circuit it starts) in English mode, so that code without the cascading
    /// language, such as <see cref="Infrastructure.Dates"/>, writes English; nothing else sets this exact culture.
    /// </summary>
    public static readonly CultureInfo EnglishCulture = CultureInfo.GetCultureInfo("en");

    /// <summary>Whether the code runs for a page in English mode (see <see cref="UiLanguageSetup.UseManyiUiLanguage"/>).</summary>
    public static bool IsEnglishHere => CultureInfo.CurrentUICulture.Equals(EnglishCulture);


    public static UiLanguage From(HttpContext? http) =>
        http?.Request.Cookies[Cookie] == "en" ? English : Chinese;

    /// <summary><c>GET /language/{zh|en}?returnUrl=…</c>: remembers the choice and goes back (to a page of this site only).</summary>
    public static IResult Switch(string code, string? returnUrl, HttpContext http)
    {
        http.Response.Cookies.Append(Cookie, code == "en" ? "en" : "zh", new CookieOptions
        {
            MaxAge = TimeSpan.FromDays(365), HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true, Path = "/",
        });
        // A control character is refused like "//": browsers drop it ("/\t/evil.example" is "//evil.example"), and LocalRedirect throws on it.
        var back = !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal)
            && !returnUrl.StartsWith("/\\", StringComparison.Ordinal) && !returnUrl.Any(char.IsControl) ? returnUrl : "/";
        return TypedResults.LocalRedirect(back);
    }
}

public static class UiLanguageSetup
{
    /// <summary>
    /// Sets <see cref="UiLanguage.EnglishCulture"/> as the UI culture of a page request made in English mode: an interactive
    /// page's circuit keeps the culture of the request that starts it. The API is left as it is (its messages are bilingual).
    /// </summary>
    public static IApplicationBuilder UseManyiUiLanguage(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (!context.Request.Path.StartsWithSegments("/api") && UiLanguage.From(context).IsEnglish)
            System.Globalization.CultureInfo.CurrentUICulture = UiLanguage.EnglishCulture;
        return next(context);
    });
}
