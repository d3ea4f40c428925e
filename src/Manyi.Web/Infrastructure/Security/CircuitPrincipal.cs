using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace Manyi.Web.Infrastructure.Security;

/// <summary>
/// Who acts in a DI scope that has no HTTP request of its own: an interactive page's circuit, or a scope such a page
/// opens for one operation (<see cref="UserScopes"/>). <see cref="CurrentUser"/> reads it before the request's user,
/// because an interactive circuit has no valid <c>HttpContext</c>.
/// </summary>
public sealed class CircuitPrincipal
{
    public ClaimsPrincipal? User { get; set; }

    /// <summary>The browser's address when the circuit opened, for the audit trail.</summary>
    public string? Address { get; set; }
}

/// <summary>Keeps <see cref="CircuitPrincipal"/> equal to the circuit's authentication state, from the first connection on.</summary>
public sealed class CircuitPrincipalHandler(AuthenticationStateProvider authentication, CircuitPrincipal principal, IHttpContextAccessor http)
    : CircuitHandler, IDisposable
{
    public override Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        authentication.AuthenticationStateChanged += Changed;
        // The SignalR connection's request is current while the circuit opens; later it is not.
        principal.Address ??= http.HttpContext?.Connection.RemoteIpAddress?.ToString();
        return Task.CompletedTask;
    }

    public override async Task OnConnectionUpAsync(Circuit circuit, CancellationToken cancellationToken) =>
        principal.User = (await authentication.GetAuthenticationStateAsync()).User;

    private void Changed(Task<AuthenticationState> state) => _ = UpdateAsync(state);

    private async Task UpdateAsync(Task<AuthenticationState> state) => principal.User = (await state).User;

    public void Dispose() => authentication.AuthenticationStateChanged -= Changed;
}

/// <summary>
/// Runs one page operation in its own DI scope acting as the page's user. An interactive page lives as long as its
/// circuit, and so would a <c>DbContext</c> it injected: one scope per operation keeps each unit of work short,
/// its change tracker empty, and two clicks from running on one context at once.
/// </summary>
public sealed class UserScopes(IServiceScopeFactory scopes, CircuitPrincipal circuit, IHttpContextAccessor http)
{
    public async Task<T> RunAsync<T>(Func<IServiceProvider, Task<T>> operation)
    {
        await using var scope = scopes.CreateAsyncScope();
        var principal = scope.ServiceProvider.GetRequiredService<CircuitPrincipal>();
        principal.User = circuit.User ?? http.HttpContext?.User;
        principal.Address = circuit.Address ?? http.HttpContext?.Connection.RemoteIpAddress?.ToString();
        return await operation(scope.ServiceProvider);
    }

    public Task RunAsync(Func<IServiceProvider, Task> operation) =>
        RunAsync<bool>(async services => { await operation(services); return true; });
}
