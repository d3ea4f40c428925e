using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Manyi.Web.Infrastructure.Security;

/// <summary>
/// ASP.NET Core's rate limiting on what a stranger can repeat: sign-in and password reset (<see cref="SignIn"/>) and
/// forgotten-password e-mails (<see cref="PasswordEmail"/>), per client address; <see cref="AccountThrottle"/> adds the
/// per-account count, which needs the request's body. A refusal is a 429 with <c>Retry-After</c>: problem details for the
/// API, the same page again with a message for a page's form.
/// </summary>
public static class RateLimits
{
    public const string SignIn = "sign-in";
    public const string PasswordEmail = "password-email";

    /// <summary>The query parameter that tells a page its form was refused, and for how many seconds.</summary>
    public const string PageRefusal = "retryAfter";

    public static IServiceCollection AddManyiRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RateLimitOptions>().Bind(configuration.GetSection(RateLimitOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<AccountThrottle>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitOptions>>((limiter, settings) =>
        {
            var limits = settings.Value;
            limiter.AddPolicy(SignIn, http => PerAddress(http, limits.SignInsPerAddress, limits.Window));
            limiter.AddPolicy(PasswordEmail, http => PerAddress(http, limits.PasswordEmailsPerAddress, limits.Window));
            limiter.OnRejected = (context, ct) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : limits.Window;
                return RefuseAsync(context.HttpContext, retryAfter);
            };
        });
        return services;
    }

    /// <summary>Counts each call of the endpoints per signed-in account (the administrator who sends e-mail by hand).</summary>
    public static TBuilder RequireAccountLimit<TBuilder>(this TBuilder builder, AccountThrottle.Kind kind) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var account = http.User.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)?.Value;
            return http.RequestServices.GetRequiredService<AccountThrottle>().Refusal(kind, account) is { } retryAfter
                ? TooManyRequests(http, retryAfter)
                : await next(context);
        });

    /// <summary>Counts the posts of one client address; a page's GET is not counted, only its form.</summary>
    private static RateLimitPartition<string> PerAddress(HttpContext http, int permits, TimeSpan window) =>
        HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method)
            ? RateLimitPartition.GetNoLimiter("page")
            // Keys differ from the page's: a partition's limiter is kept by its key.
            : RateLimitPartition.GetFixedWindowLimiter("address:" + http.Connection.RemoteIpAddress, _ => FixedWindow(permits, window));

    public static FixedWindowRateLimiterOptions FixedWindow(int permits, TimeSpan window) =>
        new() { PermitLimit = permits, Window = window, QueueLimit = 0, AutoReplenishment = true };

    /// <summary>The 429 problem for the API, with <c>Retry-After</c>.</summary>
    public static IResult TooManyRequests(HttpContext http, TimeSpan retryAfter)
    {
        var seconds = Seconds(retryAfter);
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var (zh, en) = Message(seconds);
        return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests.", detail: zh + en);
    }

    /// <summary>"Try again in n minutes", in both languages; for a page and the API alike.</summary>
    public static (string Zh, string En) Message(int seconds)
    {
        var minutes = (seconds + 59) / 60;
        return ($"尝试过于频繁，请 {minutes} 分钟后再试。", $"Too many attempts: try again in {minutes} minute{(minutes == 1 ? "" : "s")}.");
    }

    public static int Seconds(TimeSpan retryAfter) => Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));

    private static async ValueTask RefuseAsync(HttpContext http, TimeSpan retryAfter)
    {
        if (http.Request.Path.StartsWithSegments("/api"))
        {
            await TooManyRequests(http, retryAfter).ExecuteAsync(http);
            return;
        }
        // A page's form (sign-in, forgotten password): back to the page, which says how long to wait.
        http.Response.Headers.RetryAfter = Seconds(retryAfter).ToString(CultureInfo.InvariantCulture);
        http.Response.StatusCode = StatusCodes.Status303SeeOther;
        http.Response.Headers.Location = $"{http.Request.PathBase}{http.Request.Path}?{PageRefusal}={Seconds(retryAfter)}";
    }
}
