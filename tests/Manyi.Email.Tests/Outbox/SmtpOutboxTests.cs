using System.Text;
using Ical.Net;
using MailKit.Net.Smtp;
using Manyi.Persistence.Records;
using Manyi.Testing;
using MimeKit;
using SmtpServer.Protocol;
using SmtpResponse = SmtpServer.Protocol.SmtpResponse;
using static Manyi.Email.Tests.EmailHarness;

namespace Manyi.Email.Tests.Outbox;

/// <summary>The outbox sender against a real SMTP server in the test process.</summary>
public sealed class SmtpOutboxTests
{
    private static readonly string SendEmailWorkflow = "[{\"id\": \"send\", \"type\": \"Elsa.SendEmail\", " +
        "\"to\": " + Input("String[]", "[\"zhang@example.org\"]") + ", " +
        "\"subject\": " + Input("String", "培训人数报送提醒") + ", " +
        "\"body\": " + Input("String", "请于4月30日前报送培训人数。") + "}]";

    private static async Task<string> QueueAsync(EmailHarness email)
    {
        await email.RunAsync("send-one", SendEmailWorkflow, "[]");
        return Assert.Single(await email.OutboxAsync()).Key;
    }

    [Fact]
    public async Task A_message_is_delivered_with_its_headers_text_and_html_a_chinese_subject_and_an_ics_attachment()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var email = await StartAsync(settings: Smtp(smtp.Port), activities: typeof(SendTrainingInvitation));
        await email.RunAsync("training", "[{\"id\": \"invite\", \"type\": \"Test.SendTrainingInvitation\"}]", "[]");
        var queued = Assert.Single(await email.OutboxAsync());
        Assert.Equal(OutboxStatus.Queued, queued.Status);

        await email.Sender.SendAsync(queued.Key, ct);

        var received = Assert.Single(smtp.Messages);
        Assert.Equal("manyi@example.org", received.From);
        Assert.Equal(["zhang@example.org", "li@example.org"], received.Recipients);
        var message = received.Message;
        var from = Assert.IsType<MailboxAddress>(Assert.Single(message.From));
        Assert.Equal(("河南省通信行业协会", "manyi@example.org"), (from.Name, from.Address));
        Assert.Equal(["张三", ""], message.To.Mailboxes.Select(m => m.Name));
        Assert.Equal("【通知】2025年用户满意服务组织建设培训班 / Notice: 2025 training for user-satisfaction service organizations", message.Subject);
        // On the wire the subject is RFC 2047-encoded UTF-8, never raw 8-bit.
        Assert.Matches(new System.Text.RegularExpressions.Regex(@"^Subject: =\?utf-8\?[bq]\?", System.Text.RegularExpressions.RegexOptions.Multiline | System.Text.RegularExpressions.RegexOptions.IgnoreCase), received.Raw);
        Assert.EndsWith("@example.org", message.MessageId);
        Assert.Equal("notice", message.Headers["X-Manyi-Kind"]);

        var alternative = Assert.IsType<MultipartAlternative>(Assert.IsType<Multipart>(message.Body).First());
        Assert.Equal(["text/plain", "text/html"], alternative.Select(p => p.ContentType.MimeType));
        Assert.Contains("济南鑫福盛祥云酒店", message.TextBody);
        Assert.Contains("截止时间：2025年5月7日 周三 18:00（北京时间）", message.TextBody);
        Assert.Contains("<h2 style=\"font-size: 18px;\">2025年用户满意服务组织建设培训班</h2>", message.HtmlBody);

        var ics = Assert.IsAssignableFrom<MimePart>(Assert.Single(message.Attachments));
        Assert.Equal(("text/calendar", "REQUEST", "training.ics"), (ics.ContentType.MimeType, ics.ContentType.Parameters["method"], ics.FileName));
        using var decoded = new MemoryStream();
        await ics.Content!.DecodeToAsync(decoded, ct);
        var calendar = Calendar.Load(Encoding.UTF8.GetString(decoded.ToArray()))!;
        Assert.Equal("REQUEST", calendar.Method);
        var training = Assert.Single(calendar.Events);
        Assert.Equal((SendTrainingInvitation.Uid, "用户满意服务组织建设培训班", SendTrainingInvitation.Hotel),
            (training.Uid, training.Summary, training.Location));
        Assert.Equal(("Asia/Shanghai", new DateTime(2025, 5, 14, 8, 30, 0)), (training.DtStart!.TzId, training.DtStart.Value));
        Assert.Equal(("Asia/Shanghai", new DateTime(2025, 5, 16, 17, 30, 0)), (training.DtEnd!.TzId, training.DtEnd.Value));

        var sent = await email.OutboxAsync(queued.Key);
        Assert.Equal((OutboxStatus.Sent, 1, null, null), (sent.Status, sent.Attempts, sent.LastError, sent.ClaimedUntil));
        Assert.NotNull(sent.SentAt);
    }

    [Theory]
    [InlineData("sqlite", "DATA")]
    [InlineData("sqlite", "RCPT")]
    [InlineData("postgres", "DATA")]
    public async Task A_server_that_refuses_and_then_accepts_gets_the_message_exactly_once(string provider, string refusedAt)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var smtp = await SmtpTestServer.StartAsync();
        Func<int, SmtpResponse?> refuseFirst = n => n == 1 ? new SmtpResponse(SmtpReplyCode.Aborted, "4.3.0 Try again later (test)") : null;
        if (refusedAt == "DATA") smtp.OnData = refuseFirst;
        else smtp.OnRcpt = refuseFirst;
        await using var email = await StartAsync(provider, Smtp(smtp.Port));
        var key = await QueueAsync(email);

        var refused = await Assert.ThrowsAsync<SmtpCommandException>(() => email.Sender.SendAsync(key, ct));

        Assert.Equal(451, (int)refused.StatusCode);
        Assert.Empty(smtp.Messages);
        var failed = await email.OutboxAsync(key);
        Assert.Equal((OutboxStatus.Queued, 1, null, null), (failed.Status, failed.Attempts, failed.SentAt, failed.ClaimedUntil));
        Assert.StartsWith("451 ", failed.LastError);
        Assert.Contains("Try again later (test)", failed.LastError);
        Assert.Equal([key], await email.Sender.PendingKeysAsync(10, ct));

        await email.Sender.SendAsync(key, ct);
        await email.Sender.SendAsync(key, ct); // a late retry of the same job finds it sent

        Assert.Single(smtp.Messages);
        var sent = await email.OutboxAsync(key);
        Assert.Equal((OutboxStatus.Sent, 2), (sent.Status, sent.Attempts));
        Assert.Contains("Try again later (test)", sent.LastError); // the delivery log keeps the refusal
        Assert.Empty(await email.Sender.PendingKeysAsync(10, ct));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Concurrent_sends_of_one_message_send_it_once(string provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var smtp = await SmtpTestServer.StartAsync();
        smtp.DataDelay = TimeSpan.FromMilliseconds(500); // the first sender is still at DATA when the others try
        await using var email = await StartAsync(provider, Smtp(smtp.Port));
        var key = await QueueAsync(email);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => email.Sender.SendAsync(key, ct), ct)));

        Assert.Single(smtp.Messages);
        var sent = await email.OutboxAsync(key);
        Assert.Equal((OutboxStatus.Sent, 1), (sent.Status, sent.Attempts));
    }

    [Fact]
    public async Task The_last_failed_attempt_marks_the_message_failed_with_the_servers_reply()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var smtp = await SmtpTestServer.StartAsync();
        smtp.OnData = _ => new SmtpResponse(SmtpReplyCode.TransactionFailed, "5.7.1 Message rejected (test)");
        await using var email = await StartAsync(settings: Smtp(smtp.Port));
        var key = await QueueAsync(email);

        await Assert.ThrowsAsync<SmtpCommandException>(() => email.Sender.SendAsync(key, isLastAttempt: true, ct));

        var failed = await email.OutboxAsync(key);
        Assert.Equal((OutboxStatus.Failed, 1, null), (failed.Status, failed.Attempts, failed.SentAt));
        Assert.StartsWith("554 ", failed.LastError);
        Assert.Contains("Message rejected (test)", failed.LastError);
        Assert.Empty(await email.Sender.PendingKeysAsync(10, ct));
        Assert.Empty(smtp.Messages);
    }

    [Fact]
    public async Task A_server_that_cannot_be_reached_is_a_failed_attempt_that_names_the_problem()
    {
        var ct = TestContext.Current.CancellationToken;
        int closedPort;
        await using (var smtp = await SmtpTestServer.StartAsync()) closedPort = smtp.Port;
        await using var email = await StartAsync(settings: Smtp(closedPort));
        var key = await QueueAsync(email);

        await Assert.ThrowsAnyAsync<Exception>(() => email.Sender.SendAsync(key, ct));
        await email.Sender.MarkFailedAsync(key, reason: null, ct);

        var failed = await email.OutboxAsync(key);
        Assert.Equal((OutboxStatus.Failed, 1), (failed.Status, failed.Attempts));
        Assert.Contains("SocketException", failed.LastError);
    }
}
