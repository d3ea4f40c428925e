using System.Text.Json.Nodes;
using Manyi.Email.Invitations;
using Manyi.Engine.Activities;
using Manyi.Engine.Runtime;

namespace Manyi.Email.Tests.Outbox;

/// <summary>What campaign code does for the training: the notice template, and the training as an .ics invitation.</summary>
[Activity("Test.SendTrainingInvitation", "Test", "Sends the training notice with its calendar invitation.")]
public sealed class SendTrainingInvitation(IEmailTemplates templates) : Activity
{
    public const string Uid = "cace-training-2025-1@example.org";
    public const string Hotel = "济南鑫福盛祥云酒店（济南市天桥区无影山北路88号）";

    public override async ValueTask<ActivityStep> ExecuteAsync(ActivityContext context)
    {
        var rendered = await templates.RenderAsync("notice", new JsonObject
        {
            ["title"] = "2025年用户满意服务组织建设培训班",
            ["titleEn"] = "2025 training for user-satisfaction service organizations",
            ["body"] = $"培训时间：2025年5月14日至16日\n地点：{Hotel}",
            ["bodyEn"] = "14 to 16 May 2025 in Jinan; the invitation is attached.",
            ["deadline"] = "2025-05-07T18:00:00+08:00",
        }, context.CancellationToken);
        var invitation = new CalendarInvitation(Uid, "用户满意服务组织建设培训班",
            DateTimeOffset.Parse("2025-05-14T08:30:00+08:00"), DateTimeOffset.Parse("2025-05-16T17:30:00+08:00"))
        {
            Location = Hotel,
            Organizer = "manyi@example.org",
            OrganizerName = "河南省通信行业协会",
            Attendees = ["zhang@example.org", "li@example.org"],
        };
        context.SendEmail(new OutgoingEmail($"training:{context.Instance.Id}", "notice", ["张三 <zhang@example.org>", "li@example.org"],
            rendered.Subject, rendered.TextBody, rendered.HtmlBody)
        {
            Attachments = [invitation.ToAttachment(context.Now, "training.ics")],
        });
        return ActivityStep.Done;
    }
}
