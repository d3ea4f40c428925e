using Manyi.Persistence.Records;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using MudBlazor;
using MudBlazor.Services;

namespace Manyi.Web.Components;

/// <summary>
/// The web app people use in a browser: Blazor pages (rendered on the server; a page opts in to interactivity with
/// <c>@rendermode InteractiveServer</c>) with MudBlazor, in the same host as the API. Pages query through the same
/// code as the API's endpoints, so they follow the same rules of who sees what.
/// </summary>
public static class WebApp
{
    public const string LoginPath = "/account/login";
    public const string LogoutPath = "/account/logout";

    /// <summary>
    /// The policy every page names: signed in with the cookie. The API's default challenge answers 401 (for scripts); a
    /// page's challenges the cookie scheme instead, which redirects to <see cref="LoginPath"/>.
    /// </summary>
    public const string SignedInPolicy = "SignedInPage";

    /// <summary>
    /// Colours dark enough for small print: a status chip's text on its pale tint and the English after the Chinese keep
    /// a contrast of 4.5:1 or more (WCAG AA), which MudBlazor's default info, success and warning colours do not.
    /// </summary>
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#1565c0", AppbarBackground = "#1565c0",
            Info = "#0b5394", Success = "#1b5e20", Warning = "#8a4b00", Error = "#b71c1c",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography
            {
                FontFamily = ["PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Roboto", "Helvetica", "Arial", "sans-serif"],
            },
        },
    };

    public static IServiceCollection AddManyiWebApp(this IServiceCollection services)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddCascadingAuthenticationState();
        services.AddMudServices();
        services.AddAuthorizationBuilder().AddPolicy(SignedInPolicy, policy => policy
            .AddAuthenticationSchemes(IdentityConstants.ApplicationScheme)
            .RequireAuthenticatedUser());
        return services;
    }

    /// <summary>Static assets, the pages, and sign-out (a form post carrying the antiforgery token).</summary>
    public static IEndpointRouteBuilder MapManyiWebApp(this IEndpointRouteBuilder routes)
    {
        routes.MapStaticAssets();
        routes.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        routes.MapPost(LogoutPath, SignOutAsync).WithMetadata(new RequireAntiforgeryTokenAttribute()).ExcludeFromDescription();
        routes.MapGet(UiLanguage.SwitchPath + "/{code}", UiLanguage.Switch).ExcludeFromDescription();
        return routes;
    }

    public static async Task<RedirectHttpResult> SignOutAsync(SignInManager<ManyiUser> signIn)
    {
        await signIn.SignOutAsync();
        return TypedResults.LocalRedirect(LoginPath);
    }
}
