namespace Manyi.Web.Infrastructure;

/// <summary>
/// The host's own settings under <c>Manyi</c>, bound once (<see cref="WebDefaults.AddManyiWebDefaults"/>); start-up
/// checks them with every other setting (<c>ManyiSettings</c>), naming each wrong one.
/// </summary>
public sealed class ManyiOptions
{
    public const string Section = "Manyi";

    /// <summary>Where links point when <see cref="PublicUrl"/> is not set (development only: production requires it).</summary>
    public const string DevelopmentUrl = "http://localhost:5000";

    /// <summary>The address people open, e.g. https://manyi.example.org: every link in an e-mail or a calendar feed starts with it.</summary>
    public string? PublicUrl { get; set; }

    /// <summary><see cref="PublicUrl"/> (or the development address) without a trailing slash, to append paths to.</summary>
    public string LinkBase => (string.IsNullOrWhiteSpace(PublicUrl) ? DevelopmentUrl : PublicUrl).TrimEnd('/');
}
