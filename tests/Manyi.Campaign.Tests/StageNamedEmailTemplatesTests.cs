using System.Text.Json.Nodes;
using Manyi.Email;
using Manyi.Engine;
using Manyi.Engine.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Manyi.Campaign.Tests;

/// <summary>E-mails about a stage name it as the catalogue does, whatever the workflow called its task.</summary>
public sealed class StageNamedEmailTemplatesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_reminder_about_a_stage_names_it_from_the_catalogue()
    {
        var templates = Templates();
        var reminder = await templates.RenderAsync("reminder", Model("满意度测评结果 Satisfaction survey results", stage: "survey"), Ct);

        Assert.Contains($"「{CampaignStages.Survey.Zh} {CampaignStages.Survey.En}」", reminder.Subject, StringComparison.Ordinal);
        Assert.Contains($"「{CampaignStages.Survey.Zh} {CampaignStages.Survey.En}」", reminder.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("测评结果", reminder.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Other_e_mails_keep_their_title()
    {
        var templates = Templates();
        var unknownStage = await templates.RenderAsync("reminder", Model("年度总结 Annual summary", stage: "summary"), Ct);
        var noStage = await templates.RenderAsync("reminder", Model("年度总结 Annual summary", stage: null), Ct);

        Assert.Contains("「年度总结 Annual summary」", unknownStage.Subject, StringComparison.Ordinal);
        Assert.Contains("「年度总结 Annual summary」", noStage.Subject, StringComparison.Ordinal);
    }

    private static JsonObject Model(string title, string? stage) => new()
    {
        ["title"] = title,
        ["stage"] = stage,
        ["deadline"] = "2025-05-09T18:00:00+08:00",
        ["daysLeft"] = 3,
        ["passed"] = false,
    };

    private static IEmailTemplates Templates()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Manyi:DataDirectory"] = Path.Combine(Path.GetTempPath(), "manyi-stage-mail-" + Guid.NewGuid().ToString("N")[..8]),
            ["Manyi:Smtp:From"] = "河南省通信行业协会 <manyi@example.org>",
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddManyiEngine();
        services.AddManyiEmail(configuration);
        services.AddManyiCampaign();
        return services.BuildServiceProvider().GetRequiredService<IEmailTemplates>();
    }
}
