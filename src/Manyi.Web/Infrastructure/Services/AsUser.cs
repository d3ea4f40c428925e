using Manyi.Web.Infrastructure.Security;

namespace Manyi.Web.Infrastructure.Services;

/// <summary>
/// An application service for an interactive page: each operation runs in its own DI scope acting as the page's user
/// (<see cref="UserScopes"/>), so a page injects <c>AsUser&lt;TaskService&gt;</c> and never a container, a
/// <c>DbContext</c> or an HTTP result.
/// </summary>
public sealed class AsUser<TService>(UserScopes scopes) where TService : notnull
{
    public Task<T> RunAsync<T>(Func<TService, Task<T>> operation) =>
        scopes.RunAsync(services => operation(services.GetRequiredService<TService>()));

    public Task RunAsync(Func<TService, Task> operation) =>
        scopes.RunAsync(services => operation(services.GetRequiredService<TService>()));
}
