using Microsoft.AspNetCore.Antiforgery;

namespace Manyi.Web.Infrastructure.Security;

/// <summary>
/// A change to the API made with the sign-in cookie must carry the antiforgery token (<c>GET /api/auth/antiforgery</c>),
/// since a browser sends the cookie with any site's request. A bearer token is never sent by a browser on its own, so
/// bearer calls need none. (A bearer token's identity carries the cookie scheme's name, so the header tells them apart.)
/// </summary>
public static class CookieAntiforgery
{
    public const string HeaderName = "X-XSRF-TOKEN";

    public static TBuilder RequireAntiforgeryForCookies<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) => await RefusalAsync(context.HttpContext) ?? await next(context));

    /// <summary>The 400 for a cookie-authenticated change without a valid token, or null when the request may go on.</summary>
    public static async Task<IResult?> RefusalAsync(HttpContext http)
    {
        if (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method) || HttpMethods.IsOptions(http.Request.Method)
            || http.User.Identity?.IsAuthenticated != true
            || http.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return null;
        try
        {
            await http.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(http);
            return null;
        }
        catch (AntiforgeryValidationException)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Antiforgery token missing or invalid.",
                detail: $"用 Cookie 登录时，修改请求须带 {HeaderName} 头（GET /api/auth/antiforgery 获取）。" +
                        $"A change made with the sign-in cookie needs the {HeaderName} header (get it from GET /api/auth/antiforgery).");
        }
    }
}
