namespace Manyi.Web.Infrastructure.Security;

/// <summary>
/// <c>Manyi:Bootstrap</c>: the first administrator, created at start-up when there is none. Both settings or neither.
/// </summary>
public sealed class BootstrapOptions
{
    public const string Section = "Manyi:Bootstrap";

    public string? AdminEmail { get; set; }
    public string? AdminPassword { get; set; }
}
