using Manyi.Persistence.Records;
using MimeKit;
using static Manyi.Email.Tests.EmailHarness;

namespace Manyi.Email.Tests.Outbox;

public sealed class PickupDirectoryTests
{
    [Fact]
    public async Task Without_an_smtp_host_messages_are_written_as_readable_eml_files_and_start_up_says_where()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var email = await StartAsync(activities: typeof(SendTrainingInvitation));
        await email.StartHostedServicesAsync();
        var folder = Path.Combine(email.Folder, "mail");
        Assert.Contains(email.Logs.Entries, e => e.Message.Contains(folder) && e.Message.Contains(".eml") && e.Message.Contains("Manyi:Smtp:Host"));

        await email.RunAsync("training", "[{\"id\": \"invite\", \"type\": \"Test.SendTrainingInvitation\"}]", "[]");
        var key = Assert.Single(await email.OutboxAsync()).Key;
        await email.Sender.SendAsync(key, ct);
        await email.Sender.SendAsync(key, ct);

        var file = Assert.Single(Directory.GetFiles(folder));
        Assert.EndsWith(".eml", file);
        var message = await MimeMessage.LoadAsync(file, ct);
        Assert.StartsWith("【通知】2025年用户满意服务组织建设培训班", message.Subject);
        Assert.Equal(["zhang@example.org", "li@example.org"], message.To.Mailboxes.Select(m => m.Address));
        Assert.Equal("manyi@example.org", message.From.Mailboxes.Single().Address);
        Assert.Contains("济南鑫福盛祥云酒店", message.TextBody);
        Assert.Contains("济南鑫福盛祥云酒店", message.HtmlBody);
        Assert.Equal("training.ics", Assert.Single(message.Attachments).ContentDisposition?.FileName);
        Assert.Equal(OutboxStatus.Sent, (await email.OutboxAsync(key)).Status);
    }

    [Fact]
    public async Task The_pickup_folder_can_be_configured()
    {
        var ct = TestContext.Current.CancellationToken;
        var folder = Path.Combine(Path.GetTempPath(), "manyi-pickup-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            await using var email = await StartAsync(settings: new Dictionary<string, string?> { ["Manyi:Email:PickupDirectory"] = folder },
                activities: typeof(SendTrainingInvitation));
            await email.RunAsync("training", "[{\"id\": \"invite\", \"type\": \"Test.SendTrainingInvitation\"}]", "[]");
            await email.Sender.SendAsync(Assert.Single(await email.OutboxAsync()).Key, ct);

            Assert.Single(Directory.GetFiles(folder, "*.eml"));
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }
}
