using Manyi.Email.Activities;
using Manyi.Engine;
using Manyi.Engine.Activities;
using Manyi.Engine.Runtime;
using Manyi.Engine.Serialization;
using Manyi.Engine.Validation;
using Manyi.Persistence.Records;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using static Manyi.Email.Tests.EmailHarness;

namespace Manyi.Email.Tests.Activities;

public sealed class SendEmailTests
{
    [Theory]
    [InlineData("to", "[\"zhang@example.org\", \"zhang.example.org\"]", "'zhang.example.org' is not a valid e-mail address")]
    [InlineData("to", "zhang@example.org, 张三", "'张三' is not a valid e-mail address")]
    [InlineData("cc", "li@", "'li@' is not a valid e-mail address")]
    [InlineData("bcc", "a@b@example.org", "'a@b@example.org' is not a valid e-mail address")]
    [InlineData("from", "协会", "'协会' is not a valid e-mail address")]
    public void An_invalid_literal_address_is_refused_when_the_workflow_is_saved_naming_the_input(string input, string value, string message)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddManyiEngine(e => e.AddActivity<SendEmail>());
        using var provider = services.BuildServiceProvider();
        var typeName = input == "from" ? "String" : "String[]";
        var to = input == "to" ? "" : "\"to\": " + Input("String[]", "[\"zhang@example.org\"]") + ", ";
        var definition = ElsaJson.Read("{\"definitionId\": \"bad-address\", \"root\": {\"id\": \"root\", \"type\": \"Elsa.Flowchart\", \"activities\": [" +
            "{\"id\": \"send\", \"type\": \"Elsa.SendEmail\", " + to + "\"" + input + "\": " + Input(typeName, value) + "}], \"connections\": []}}");

        var problem = Assert.Single(provider.GetRequiredService<WorkflowCompiler>().Validate(definition).Errors);

        Assert.Equal(("send", "Elsa.SendEmail", input), (problem.ActivityId, problem.ActivityType, problem.Input));
        Assert.Contains(message, problem.Message);
    }

    [Fact]
    public void SendEmail_has_Elsas_type_name_and_inputs()
    {
        var descriptor = ActivityDescriptor.Describe(typeof(SendEmail));

        Assert.Equal("Elsa.SendEmail", descriptor.TypeName);
        Assert.Equal(["from", "to", "cc", "bcc", "subject", "body"], descriptor.Inputs.Select(i => i.Name));
    }

    [Fact]
    public async Task Each_execution_queues_one_outbox_message_with_its_own_key_and_the_liquid_body_rendered()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var email = await StartAsync(settings: new Dictionary<string, string?> { ["Manyi:Email:PickupDirectory"] = null });
        var send = "{\"id\": \"send\", \"type\": \"Elsa.SendEmail\", " +
            "\"from\": " + Input("String", "郑州移动 <zhengzhou@example.org>") + ", " +
            "\"to\": " + Input("String[]", "[\"zhang@example.org\", \"王五 <wang@example.org>\"]") + ", " +
            "\"cc\": " + Input("String[]", "li@example.org") + ", " +
            "\"bcc\": " + Input("String[]", "[\"audit@example.org\"]") + ", " +
            "\"subject\": " + Input("String", "培训人数：{{ Variables.trainees }} 人", "Liquid") + ", " +
            "\"body\": " + Input("String", "<p>{{ CorrelationId }} 报送 <b>{{ Variables.trainees }}</b> 人 &amp; 已确认</p>", "Liquid") + "}";
        var again = "{\"id\": \"again\", \"type\": \"Elsa.Event\", \"eventName\": " + Input("String", "again") + "}";
        var instance = await email.RunAsync("send-twice", $"[{{\"id\": \"start\", \"type\": \"Elsa.Start\"}}, {send}, {again}]",
            $"[{Connect("start", "send")}, {Connect("send", "again")}, {Connect("again", "send")}]",
            "[{\"id\": \"trainees\", \"name\": \"trainees\", \"typeName\": \"Int32\", \"value\": \"3\"}]");
        await email.InScopeAsync(s => s.GetRequiredService<WorkflowRuntime>().SendStimulusAsync(
            new Stimulus("Elsa.Event", "again") { CorrelationId = "zhengzhou-mobile" }, ct));

        var messages = await email.OutboxAsync();
        Assert.Equal(2, messages.Count);
        Assert.Equal(2, messages.Select(m => m.Key).Distinct().Count());
        Assert.All(messages, m => Assert.StartsWith($"sendemail:{instance.Id}:send:", m.Key));
        var first = messages[0];
        Assert.Equal((SendEmail.Kind, instance.Id, "培训人数：3 人"), (first.Kind, first.InstanceId, first.Subject));
        Assert.Equal("<p>zhengzhou-mobile 报送 <b>3</b> 人 &amp; 已确认</p>", first.HtmlBody);
        Assert.Equal("zhengzhou-mobile 报送 3 人 & 已确认", first.TextBody);

        await email.Sender.SendAsync(first.Key, ct);
        var message = await MimeMessage.LoadAsync(Assert.Single(Directory.GetFiles(Path.Combine(email.Folder, "mail"))), ct);
        Assert.Equal("zhengzhou@example.org", message.From.Mailboxes.Single().Address);
        Assert.Equal(["zhang@example.org", "wang@example.org"], message.To.Mailboxes.Select(m => m.Address));
        Assert.Equal("王五", message.To.Mailboxes.Last().Name);
        Assert.Equal(["li@example.org"], message.Cc.Mailboxes.Select(m => m.Address));
        Assert.Equal(["audit@example.org"], message.Bcc.Mailboxes.Select(m => m.Address));
    }

    [Fact]
    public async Task An_invalid_address_known_only_at_run_time_is_an_incident_naming_the_input()
    {
        await using var email = await StartAsync();
        var send = "{\"id\": \"send\", \"type\": \"Elsa.SendEmail\", " +
            "\"to\": " + Input("String[]", "['zhang@example.org', getCorrelationId()]", "JavaScript") + ", " +
            "\"subject\": " + Input("String", "报送提醒") + "}";

        var instance = await email.RunAsync("send-bad", $"[{send}]", "[]");

        Assert.Equal(WorkflowStatus.Faulted, instance.Status);
        var incident = Assert.Single(instance.Incidents);
        Assert.Equal("send", incident.ActivityId);
        Assert.Contains("Input 'to': 'zhengzhou-mobile' is not a valid e-mail address", incident.Message);
        Assert.Empty(await email.OutboxAsync());
    }
}
