using Microsoft.Extensions.Options;

namespace Manyi.Web.Infrastructure;

/// <summary>
/// Options bound one way: <c>AddOptions&lt;T&gt;().BindConfiguration(section).ValidateOnStart()</c>, validated by the
/// settings' own problem list (the one the start-up report, <see cref="Deployment.ManyiSettings"/>, also reads), so
/// that a wrong value stops the start naming the setting.
/// </summary>
public static class OptionsSetup
{
    public static OptionsBuilder<T> AddManyiOptions<T>(this IServiceCollection services, string section, Func<T, IEnumerable<string>> problems)
        where T : class
    {
        services.AddSingleton<IValidateOptions<T>>(new ProblemsValidation<T>(problems));
        return services.AddOptions<T>().BindConfiguration(section).ValidateOnStart();
    }

    private sealed class ProblemsValidation<T>(Func<T, IEnumerable<string>> problems) : IValidateOptions<T> where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options) =>
            problems(options).ToList() is { Count: > 0 } found ? ValidateOptionsResult.Fail(found) : ValidateOptionsResult.Success;
    }
}
