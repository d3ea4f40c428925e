using Manyi.Engine.Activities;
using Manyi.Engine.Activities.Events;
using Manyi.Engine.Activities.Flow;
using Manyi.Engine.Activities.Primitives;
using Manyi.Engine.Activities.Timers;
using Manyi.Engine.Expressions;
using Manyi.Engine.Runtime;
using Manyi.Engine.Validation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Manyi.Engine;

/// <summary>Registers activities with the engine; <c>AddActivity&lt;T&gt;()</c> is all a new activity needs.</summary>
public sealed class ManyiEngineBuilder(IServiceCollection services)
{
    public IServiceCollection Services { get; } = services;

    public ManyiEngineBuilder AddActivity<TActivity>() where TActivity : Activity
    {
        Services.AddSingleton(new ActivityRegistration(typeof(TActivity)));
        return this;
    }
}

public static class ManyiEngineServiceCollectionExtensions
{
    /// <summary>The engine: built-in activities, expressions, compiler and runtime. A store must be added separately.</summary>
    public static ManyiEngineBuilder AddManyiEngine(this IServiceCollection services, Action<ManyiEngineBuilder>? configure = null)
    {
        services.TryAddSingleton(TimeProvider.System);
        // Options, so that a host can bind and validate them (AddOptions<ScriptLimits>().BindConfiguration(…)); defaults otherwise.
        services.AddOptions<ScriptLimits>();
        services.TryAddSingleton(provider => provider.GetRequiredService<IOptions<ScriptLimits>>().Value);
        services.AddOptions<RuntimeOptions>();
        services.TryAddSingleton(provider => provider.GetRequiredService<IOptions<RuntimeOptions>>().Value);
        services.TryAddSingleton<ITimerScheduler, NoTimerScheduler>();
        services.TryAddSingleton<IEmailDispatcher, NoEmailDispatcher>();
        services.TryAddSingleton<IEmailTemplates, BuiltInEmailTemplates>();
        services.TryAddScoped<Tasks.ITaskDirectory, Tasks.NoTaskDirectory>();
        // Weekends only until the host loads the holiday files (AddManyiCalendar).
        services.TryAddSingleton(new Calendar.BusinessCalendar([]));
        services.TryAddSingleton<JavaScriptEvaluator>();
        services.TryAddSingleton<LiquidEvaluator>();
        services.TryAddSingleton<ExpressionEvaluator>();
        services.TryAddSingleton<ActivityRegistry>();
        services.TryAddSingleton<WorkflowCompiler>();
        services.TryAddSingleton<Activities.Composition.WorkflowActivityCatalog>();
        services.TryAddSingleton<WorkflowGraphCache>();
        services.TryAddScoped<WorkflowRuntime>();
        services.TryAddScoped<DeadlinePreviewer>();
        AddHttp(services);

        var builder = new ManyiEngineBuilder(services)
            .AddActivity<Activities.Containers.Flowchart>()
            .AddActivity<Activities.Containers.Sequence>()
            .AddActivity<Activities.Containers.If>()
            .AddActivity<Activities.Containers.Switch>()
            .AddActivity<Activities.Containers.ForEach>()
            .AddActivity<Activities.Containers.ParallelForEach>()
            .AddActivity<Activities.Containers.While>()
            .AddActivity<Activities.Containers.For>()
            .AddActivity<Activities.Containers.Break>()
            .AddActivity<Activities.Containers.Fork>()
            .AddActivity<Activities.Containers.Complete>()
            .AddActivity<Activities.Containers.FlowNode>()
            .AddActivity<Start>()
            .AddActivity<End>()
            .AddActivity<Finish>()
            .AddActivity<WriteLine>()
            .AddActivity<SetVariable>()
            .AddActivity<Fault>()
            .AddActivity<FlowDecision>()
            .AddActivity<FlowSwitch>()
            .AddActivity<FlowJoin>()
            .AddActivity<FlowFork>()
            .AddActivity<Event>()
            .AddActivity<Delay>()
            .AddActivity<StartAt>()
            .AddActivity<Activities.Timers.Timer>()
            .AddActivity<Cron>()
            .AddActivity<Activities.Tasks.UserTask>()
            .AddActivity<Activities.Composition.DispatchWorkflow>()
            .AddActivity<Activities.Composition.ExecuteWorkflow>()
            .AddActivity<SetOutput>()
            .AddActivity<SetName>()
            .AddActivity<Correlate>()
            .AddActivity<Activities.Scripting.RunJavaScript>()
            .AddActivity<Activities.Http.HttpEndpoint>()
            .AddActivity<Activities.Http.WriteHttpResponse>()
            .AddActivity<Activities.Http.SendHttpRequest>()
            .AddActivity<Activities.Http.FlowSendHttpRequest>();
        configure?.Invoke(builder);
        return builder;
    }

    /// <summary>
    /// What the HTTP activities need: the request a scope serves, and the client for outgoing requests — the host
    /// guard at connect time, no proxy (a proxy would connect on the guard's behalf), at most five redirects (each a
    /// new connection through the guard), a total timeout and retries of safe requests only (GET, HEAD, OPTIONS: a POST is never sent twice).
    /// </summary>
    private static void AddHttp(IServiceCollection services)
    {
        services.AddOptions<Activities.Http.HttpOptions>();
        services.TryAddScoped<Activities.Http.HttpExchange>();
        services.TryAddSingleton<Activities.Http.OutboundHostGuard>();
        services.AddHttpClient(Activities.Http.SendHttpRequestBase.ClientName)
            .ConfigureHttpClient(client => client.Timeout = System.Threading.Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(provider => new System.Net.Http.SocketsHttpHandler
            {
                ConnectCallback = provider.GetRequiredService<Activities.Http.OutboundHostGuard>().ConnectAsync,
                UseProxy = false,
                MaxAutomaticRedirections = 5,
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            })
            .AddResilienceHandler("manyi-workflows", (pipeline, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<Microsoft.Extensions.Options.IOptions<Activities.Http.HttpOptions>>().Value;
                var retry = new Microsoft.Extensions.Http.Resilience.HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = 2,
                    Delay = TimeSpan.FromMilliseconds(500),
                    BackoffType = Polly.DelayBackoffType.Exponential,
                    UseJitter = true,
                    // A refused host stays refused: retrying it would only repeat the refusal.
                    ShouldHandle = args => ValueTask.FromResult(
                        Activities.Http.SendHttpRequestBase.Refusal(args.Outcome.Exception) is null
                        && Microsoft.Extensions.Http.Resilience.HttpClientResiliencePredicates.IsTransient(args.Outcome)),
                };
                retry.DisableForUnsafeHttpMethods();
                // A network wait is real time, whatever clock the workflows run on (a test's fake clock, say).
                pipeline.TimeProvider = TimeProvider.System;
                pipeline.AddTimeout(options.Timeout).AddRetry(retry);
            });
    }
}
