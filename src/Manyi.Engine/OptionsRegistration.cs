using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Manyi.Engine;

/// <summary>
/// Options bound one way in every module: <c>AddOptions&lt;T&gt;()</c> bound to a configuration section, validated by the
/// settings' own problem list (the one the host's start-up report also reads) when the host starts
/// (<c>ValidateOnStart</c>) or, without a host, when first used, and resolvable as <c>IOptions&lt;T&gt;</c> or as
/// <c>T</c>.
/// </summary>
public static class OptionsRegistration
{
    /// <param name="configuration">The configuration to bind from; null binds from the host's <see cref="IConfiguration"/>.</param>
    public static OptionsBuilder<T> AddManyiOptions<T>(this IServiceCollection services, string section,
        Func<T, IEnumerable<string>>? problems = null, IConfiguration? configuration = null)
        where T : class
    {
        var builder = configuration is null
            ? services.AddOptions<T>().Configure<IConfiguration>((options, host) => host.GetSection(section).Bind(options))
            : services.AddOptions<T>().Configure(options => configuration.GetSection(section).Bind(options));
        if (problems is not null) services.AddSingleton<IValidateOptions<T>>(new ProblemsValidation<T>(problems));
        services.TryAddSingleton(provider => provider.GetRequiredService<IOptions<T>>().Value);
        return builder.ValidateOnStart();
    }

    /// <summary>Validates one options type by a problem list; every problem names its setting.</summary>
    public sealed class ProblemsValidation<T>(Func<T, IEnumerable<string>> problems) : IValidateOptions<T> where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options) =>
            problems(options).ToList() is { Count: > 0 } found ? ValidateOptionsResult.Fail(found) : ValidateOptionsResult.Success;
    }
}
