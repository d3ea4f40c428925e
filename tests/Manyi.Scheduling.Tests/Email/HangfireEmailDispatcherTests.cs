using Hangfire;
using Hangfire.Common;
using Manyi.Engine.Runtime;
using Manyi.Persistence.Records;
using Manyi.Scheduling.Email;
using Manyi.Scheduling.Timers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Manyi.Scheduling.Tests.Workflows;

namespace Manyi.Scheduling.Tests.Email;

public sealed class HangfireEmailDispatcherTests
{
    private static OutgoingEmail Email(string key) => new(key, "reminder", ["a@example.cn"], "提醒", "请按时提交。");

    private static async Task<SchedulingHost> StartHostAsync(TestData data, FakeOutboxSender sender) =>
        await data.Host(configure: s => s.AddSingleton<IOutboxSender>(sender)).StartAsync();

    private static bool Tracked(SchedulingHost host, string key)
    {
        using var connection = host.Storage.GetConnection();
        return connection.GetAllItemsFromSet(TrackedOutboxJobAttribute.Set).Contains(key);
    }

    [Fact]
    public async Task Each_committed_email_becomes_one_job_that_sends_it()
    {
        await using var data = await TestData.CreateAsync("sqlite");
        var sender = new FakeOutboxSender();
        await using var host = await StartHostAsync(data, sender);

        await host.Services.GetRequiredService<IEmailDispatcher>().DispatchAsync(
            [Email("reminder:1"), Email("reminder:2"), Email("reminder:1")], TestContext.Current.CancellationToken);

        await WaitUntilAsync(() => sender.Sent.Count == 2, TimeSpan.FromSeconds(10), "both e-mails sent");
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Assert.Equal(1, sender.Sent["reminder:1"]);
        Assert.Equal(1, sender.Sent["reminder:2"]);
        await WaitUntilAsync(() => !Tracked(host, "reminder:1") && !Tracked(host, "reminder:2"), TimeSpan.FromSeconds(5), "finished jobs untracked");
    }

    [Fact]
    public async Task A_failed_send_is_retried_later_and_the_last_failure_marks_the_message_Failed()
    {
        await using var data = await TestData.CreateAsync("sqlite");
        var sender = new FakeOutboxSender { Fails = _ => true };
        await using var host = await StartHostAsync(data, sender);
        await ReadAsync(host.Services, async db =>
        {
            db.OutboxMessages.Add(new OutboxMessageRecord
            {
                Key = "deadline:1", Kind = "deadline", To = "a@example.cn", Subject = "截止", TextBody = "今天截止。",
                Status = OutboxStatus.Queued, CreatedAt = DateTimeOffset.UtcNow,
            });
            return await db.SaveChangesAsync();
        });

        var job = host.Services.GetRequiredService<HangfireEmailDispatcher>().Enqueue("deadline:1");

        await WaitUntilAsync(() => host.JobState(job) == "Scheduled", TimeSpan.FromSeconds(10), "the first retry scheduled");
        using (var connection = host.Storage.GetConnection())
            Assert.Contains($"Retry attempt 1 of {OutboxJob.Retries}", connection.GetStateData(job).Reason);
        Assert.Equal(1, sender.Attempts["deadline:1"]);
        Assert.True(Tracked(host, "deadline:1"));

        // The last retry: as if the others had failed too.
        using (var connection = host.Storage.GetConnection())
            connection.SetJobParameter(job, "RetryCount", SerializationHelper.Serialize(OutboxJob.Retries));
        host.Services.GetRequiredService<IBackgroundJobClient>().Requeue(job);

        await WaitUntilAsync(() => host.JobState(job) == "Failed", TimeSpan.FromSeconds(10), "the job failed for good");
        Assert.Equal(2, sender.Attempts["deadline:1"]);
        Assert.Equal(["deadline:1"], sender.MarkedFailed.Keys);
        Assert.False(Tracked(host, "deadline:1"));
    }

    [Fact]
    public async Task Reconciliation_enqueues_pending_emails_that_have_no_send_job()
    {
        await using var data = await TestData.CreateAsync("sqlite");
        var sender = new FakeOutboxSender { Fails = key => key == "waiting-for-retry" };
        sender.Pending["lost"] = true;
        sender.Pending["waiting-for-retry"] = true;

        // The start-up pass finds both (the jobs of the last process are gone with its in-memory storage).
        await using var host = await StartHostAsync(data, sender);
        await WaitUntilAsync(() => sender.Sent.ContainsKey("lost") && sender.Attempts.ContainsKey("waiting-for-retry"),
            TimeSpan.FromSeconds(10), "both attempted");
        await WaitUntilAsync(() => Tracked(host, "waiting-for-retry"), TimeSpan.FromSeconds(5), "the retry tracked");

        var pass = await host.InScopeAsync(s => s.GetRequiredService<TimerReconciliation>().RunAsync(TestContext.Current.CancellationToken));

        Assert.Equal(1, pass.EmailsPending);
        Assert.Equal(0, pass.EmailsEnqueued);
        Assert.Equal(1, sender.Sent["lost"]);
        Assert.Equal(1, sender.Attempts["waiting-for-retry"]);
    }
}
