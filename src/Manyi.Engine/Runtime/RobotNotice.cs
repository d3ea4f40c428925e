using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;

namespace Manyi.Engine.Runtime;

/// <summary>
/// What a reminder or notice tells the chat robots (企业微信, 钉钉, 飞书 group robots) beside its e-mail: one line per
/// organization concerned, gathered into each robot's next digest. <see cref="Key"/> is the e-mail's outbox key; each
/// robot line's key is derived from it, so a step reaches each robot once, like its e-mail.
/// </summary>
/// <param name="Line">The facts the line shows: <c>title</c>, and as the kind has them <c>deadline</c>, <c>daysLeft</c>, <c>passed</c>, <c>body</c>, <c>link</c>.</param>
public sealed record RobotNotice(string Key, string Kind, JsonObject Line)
{
    /// <summary>The open tasks it is about: their organization, role and link are read from them.</summary>
    public IReadOnlyList<string> TaskIds { get; init; } = [];

    /// <summary>The organizations it is about when there are no tasks (a notice).</summary>
    public IReadOnlyList<string> OrganizationIds { get; init; } = [];
}

/// <summary>
/// Which robots a notice goes to: the e-mail module reads the channels administrators set up. Without it (engine
/// tests, tools) no robot gets anything.
/// </summary>
public interface IChatRobots
{
    /// <summary>One outbox line per channel that serves the notice's kind and each of its organizations (or roles).</summary>
    ValueTask<IReadOnlyList<OutgoingEmail>> LinesAsync(RobotNotice notice, CancellationToken cancellationToken);
}

public static class RobotNotices
{
    /// <summary>Adds the notice's robot lines to the burst, so that they commit with it, exactly like its e-mails.</summary>
    public static async ValueTask NotifyRobotsAsync(this ActivityContext context, RobotNotice notice)
    {
        if (context.Services.GetService<IChatRobots>() is not { } robots) return;
        foreach (var line in await robots.LinesAsync(notice, context.CancellationToken))
            context.SendEmail(line);
    }
}

/// <summary>How long a robot line waits before its digest is sent, so that the lines of one send time travel together.</summary>
public sealed record RobotDigestDelay(TimeSpan Value);
