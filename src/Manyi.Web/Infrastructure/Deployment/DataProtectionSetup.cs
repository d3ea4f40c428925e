using Microsoft.AspNetCore.DataProtection;

namespace Manyi.Web.Infrastructure.Deployment;

/// <summary>
/// The keys that protect sign-in cookies, bearer tokens and antiforgery tokens. Every node must hold the same keys, or a
/// user signed in on one node is a stranger to the other: <c>Manyi:DataProtection:KeysDirectory</c> names a folder they
/// share (required in production); without it, ASP.NET Core's per-machine default.
/// </summary>
public static class DataProtectionSetup
{
    public const string KeysDirectorySetting = "Manyi:DataProtection:KeysDirectory";

    public static IServiceCollection AddManyiDataProtection(this IServiceCollection services, IConfiguration configuration)
    {
        var protection = services.AddDataProtection().SetApplicationName("Manyi");
        if (configuration[KeysDirectorySetting] is { Length: > 0 } folder)
            protection.PersistKeysToFileSystem(new DirectoryInfo(Path.GetFullPath(folder)));
        return services;
    }
}
