using System.Text;

namespace Manyi.Engine.Activities.Http;

/// <summary>
/// What an <see cref="HttpEndpoint"/> listens on: a path template under the app's base path (<c>/signups/{id}</c>),
/// the methods it accepts and whether a caller must be signed in (and pass a policy). It is the key of the endpoint's
/// trigger or bookmark, so that the app can route a request from the stored keys alone and check the method and
/// the caller before it starts or resumes anything.
/// </summary>
public sealed record HttpRoute(string Path, IReadOnlyList<string> Methods, bool Authorize, string? Policy)
{
    public const string BookmarkName = "Elsa.HttpEndpoint";

    /// <summary>The key: <c>GET,POST /signups/{id}</c>, then <c> authorize</c> or <c> authorize:Policy</c> when required.</summary>
    public string Key
    {
        get
        {
            var key = new StringBuilder().AppendJoin(',', Methods).Append(' ').Append(Path);
            if (Authorize) key.Append(" authorize").Append(Policy is { Length: > 0 } ? ":" + Policy : "");
            return key.ToString();
        }
    }

    public static HttpRoute Create(string? path, IEnumerable<string>? methods, bool authorize, string? policy)
    {
        var normalised = (methods ?? []).Select(m => m.Trim().ToUpperInvariant()).Where(m => m.Length > 0).Distinct().Order(StringComparer.Ordinal).ToList();
        if (normalised.FirstOrDefault(m => m.Any(c => !char.IsAsciiLetter(c))) is { } bad)
            throw new InvalidOperationException($"'{bad}' is not an HTTP method.");
        return new HttpRoute(NormalisePath(path), normalised.Count > 0 ? normalised : ["GET"], authorize,
            string.IsNullOrWhiteSpace(policy) ? null : policy.Trim());
    }

    /// <summary>Reads a stored key back; null for one that is not an endpoint's.</summary>
    public static HttpRoute? Parse(string? key)
    {
        if (key is null) return null;
        var parts = key.Split(' ', 3);
        if (parts.Length < 2 || !parts[1].StartsWith('/')) return null;
        var authorize = parts.Length == 3 && parts[2].StartsWith("authorize", StringComparison.Ordinal);
        var policy = authorize && parts[2].Length > "authorize:".Length ? parts[2]["authorize:".Length..] : null;
        return new HttpRoute(parts[1], parts[0].Split(','), authorize, policy);
    }

    /// <summary>One leading slash, no trailing slash, lower case outside route parameters (paths match case-insensitively).</summary>
    public static string NormalisePath(string? path)
    {
        var trimmed = (path ?? "").Trim().Trim('/');
        if (trimmed.Contains(' ')) throw new InvalidOperationException($"The path '{path}' contains a space.");
        return "/" + trimmed;
    }

    public bool Accepts(string method) => Methods.Contains(method.ToUpperInvariant());
}
