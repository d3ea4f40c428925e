using System.Reflection;
using Manyi.Engine.Runtime;

namespace Manyi.Engine.Activities;

/// <summary>
/// An activity: one class with an <see cref="ActivityAttribute"/>, typed <see cref="Input{T}"/> properties and an
/// <see cref="ExecuteAsync"/> that ends with an outcome or a bookmark. One instance is bound per flowchart node and
/// shared by every run of that definition version, so an activity keeps no state of its own between calls.
/// </summary>
public abstract class Activity
{
    public const string Done = "Done";

    public ActivityAttribute Metadata => GetType().GetCustomAttribute<ActivityAttribute>()
        ?? throw new InvalidOperationException($"{GetType().Name} has no [Activity] attribute.");

    public abstract ValueTask<ActivityStep> ExecuteAsync(ActivityContext context);

    /// <summary>Called when a stimulus matches one of this activity's bookmarks.</summary>
    public virtual ValueTask<ActivityStep> ResumeAsync(ActivityContext context, ResumeContext resume) =>
        ValueTask.FromResult(ActivityStep.Done);

    /// <summary>
    /// Problems with this node's literal inputs that the type alone cannot catch (a cron expression that does not
    /// parse, a duration that is negative, a time zone that does not exist), reported when the definition is saved.
    /// <paramref name="now"/> is <see cref="DateTimeOffset.MinValue"/> when a published version is compiled to run:
    /// then no literal instant has "passed".
    /// </summary>
    public virtual IEnumerable<InputProblem> CheckInputs(DateTimeOffset now) => [];

    /// <summary>The outcome ports of this bound node; activities whose ports depend on their inputs override this.</summary>
    public virtual IReadOnlyList<string> GetOutcomes() => Metadata.Outcomes;
}

/// <summary>An activity that can start a workflow when a stimulus with its bookmark name and key arrives.</summary>
public interface ITriggerActivity
{
    /// <summary>The bookmark name and key a stimulus must carry to start the workflow here.</summary>
    ValueTask<BookmarkRequest> GetTriggerAsync(ActivityContext context);
}

/// <summary>A problem with one input, found by <see cref="Activity.CheckInputs"/>.</summary>
public sealed record InputProblem(string Input, string Problem);
