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
        services.TryAddSingleton(new ScriptLimits());
        services.TryAddSingleton(new RuntimeOptions());
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
            .AddActivity<Activities.Composition.DispatchWorkflow>();
        configure?.Invoke(builder);
        return builder;
    }
}
