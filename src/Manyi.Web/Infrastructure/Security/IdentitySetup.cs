using Manyi.Persistence;
using Manyi.Persistence.Records;
using Manyi.Web.Features.Account;
using Manyi.Persistence.Audit;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Manyi.Web.Infrastructure.Security;

public static class IdentitySetup
{
    /// <summary>
    /// ASP.NET Core Identity on Manyi's database: cookie sign-in for the web app and bearer tokens for scripts (one
    /// scheme that accepts either), password rules, lockout after repeated failures, and the role policies.
    /// </summary>
    public static IServiceCollection AddManyiIdentity(this IServiceCollection services, IConfiguration configuration)
    {
        ManyiPolicies.Add(services.AddAuthorizationBuilder());
        services.AddIdentityApiEndpoints<ManyiUser>(options =>
            {
                options.User.RequireUniqueEmail = true;
                options.Password.RequiredLength = 10;
                options.Password.RequireDigit = true;
                options.Password.RequireLowercase = true;
                options.Password.RequireUppercase = false;
                options.Password.RequireNonAlphanumeric = false;
                options.Lockout.AllowedForNewUsers = true;
                options.Lockout.MaxFailedAccessAttempts = 5;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                options.SignIn.RequireConfirmedAccount = false;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<ManyiDbContext>()
            .AddSignInManager<AuditingSignInManager>()
            .AddUserManager<AuditingUserManager>();
        services.AddSingleton<AccountEmails>();
        services.AddScoped<PasswordResets>();
        services.AddScoped<PasswordResetJob>();
        services.AddManyiRateLimits(configuration);
        services.AddSingleton<IEmailSender<ManyiUser>>(provider => provider.GetRequiredService<AccountEmails>());
        services.AddAntiforgery(options => options.HeaderName = CookieAntiforgery.HeaderName);
        services.AddOptions<BootstrapOptions>().Bind(configuration.GetSection(BootstrapOptions.Section))
            .Validate(o => string.IsNullOrWhiteSpace(o.AdminEmail) == string.IsNullOrWhiteSpace(o.AdminPassword),
                "Manyi:Bootstrap: set both AdminEmail and AdminPassword, or neither.")
            .ValidateOnStart();
        services.AddScoped<AdminBootstrap>();
        // The audit trail (Manyi.Persistence) names the signed-in user of the request or page.
        services.Replace(ServiceDescriptor.Scoped<IAuditActor>(s => s.GetRequiredService<CurrentUser>()));
        services.ConfigureApplicationCookie(cookie =>
        {
            cookie.Cookie.Name = "manyi";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.LoginPath = "/account/login";
            // An API call answers 401/403 instead of redirecting to the sign-in page.
            cookie.Events.OnRedirectToLogin = context => Deny(context, StatusCodes.Status401Unauthorized);
            cookie.Events.OnRedirectToAccessDenied = context => Deny(context, StatusCodes.Status403Forbidden);
        });
        services.AddHttpContextAccessor();
        services.AddManyiCircuitRevalidation();
        services.AddManyiCookieRules();
        services.AddScoped<CircuitPrincipal>();
        services.AddScoped<CircuitHandler, CircuitPrincipalHandler>();
        services.AddScoped<UserScopes>();
        services.AddScoped(typeof(Manyi.Web.Infrastructure.Services.AsUser<>));
        services.AddScoped<CurrentUser>();
        return services;
    }

    /// <summary>
    /// An API call answers the bare status; a page without a sign-in goes to the sign-in page, and a page the user may
    /// not see answers 403 in place (the status page explains it) rather than redirecting somewhere.
    /// </summary>
    private static Task Deny(Microsoft.AspNetCore.Authentication.RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> context, int status)
    {
        if (!context.Request.Path.StartsWithSegments("/api") && status == StatusCodes.Status401Unauthorized)
        {
            context.Response.Redirect(context.RedirectUri);
            return Task.CompletedTask;
        }
        context.Response.StatusCode = status;
        return Task.CompletedTask;
    }
}
