using System.Text;
using Ical.Net;
using Manyi.Email.Invitations;

namespace Manyi.Email.Tests.Invitations;

public sealed class CalendarInvitationTests
{
    private static readonly CalendarInvitation Training = new("cace-training-2025-1@example.org", "用户满意服务组织建设培训班",
        DateTimeOffset.Parse("2025-05-14T00:30:00Z"), DateTimeOffset.Parse("2025-05-16T09:30:00Z"))
    {
        Location = "济南鑫福盛祥云酒店",
        Description = "报到：5月13日 14:00–20:00",
        Organizer = "manyi@example.org",
        OrganizerName = "河南省通信行业协会",
        Attendees = ["zhang@example.org"],
    };

    [Fact]
    public void The_invitation_is_an_icalendar_request_in_shanghai_time_that_reads_back()
    {
        var attachment = Training.ToAttachment(DateTimeOffset.Parse("2025-04-21T09:00:00+08:00"));

        Assert.Equal(("invite.ics", "text/calendar; method=REQUEST; charset=utf-8"), (attachment.FileName, attachment.ContentType));
        var text = Encoding.UTF8.GetString(attachment.Content);
        Assert.Contains("BEGIN:VTIMEZONE", text);
        Assert.Contains("DTSTART;TZID=Asia/Shanghai:20250514T083000", text);
        var calendar = Calendar.Load(text)!;
        Assert.Equal("REQUEST", calendar.Method);
        var training = Assert.Single(calendar.Events);
        Assert.Equal(("cace-training-2025-1@example.org", "用户满意服务组织建设培训班", "济南鑫福盛祥云酒店"), (training.Uid, training.Summary, training.Location));
        Assert.Equal(new DateTime(2025, 5, 16, 17, 30, 0), training.DtEnd!.Value);
        Assert.Equal(DateTime.Parse("2025-05-14T00:30:00Z").ToUniversalTime(), training.DtStart!.AsUtc);
        Assert.Equal("mailto:manyi@example.org", training.Organizer!.Value!.ToString());
        Assert.Equal("mailto:zhang@example.org", Assert.Single(training.Attendees).Value!.ToString());
    }

    [Fact]
    public void An_event_that_ends_before_it_starts_is_refused()
    {
        var backwards = Training with { End = Training.Start.AddHours(-1) };

        var error = Assert.Throws<ArgumentException>(() => backwards.ToIcs(DateTimeOffset.UtcNow));

        Assert.Contains("ends", error.Message);
    }
}
