using Manyi.Engine.Runtime;
using Manyi.Engine.Serialization;
using Manyi.Engine.Validation;
using Manyi.Persistence.Definitions;
using Manyi.Persistence.Records;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Manyi.Persistence.Tests.DataHarness;

namespace Manyi.Persistence.Tests.Definitions;

public sealed class WorkflowDefinitionCatalogTests
{
    private static Engine.Model.WorkflowDefinition Greeting(string text) =>
        Workflow("greeting", $"[{WriteLine("say", text)}]", "[]");

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Versions_move_from_draft_to_published_to_retracted_and_published_ones_never_change(string provider)
    {
        await using var data = await StartAsync(provider);
        var ct = TestContext.Current.CancellationToken;

        var first = await data.InScopeAsync(s => s.GetRequiredService<WorkflowDefinitionCatalog>().ImportAsync(Greeting("one"), false, null, ct));
        Assert.Equal((ImportOutcome.Created, 1, DefinitionStatus.Draft), (first.Outcome, first.Definition.Version, first.Definition.Status));

        // A draft is edited in place.
        var edited = await data.InScopeAsync(s => s.GetRequiredService<WorkflowDefinitionCatalog>().ImportAsync(Greeting("one!"), false, null, ct));
        Assert.Equal((ImportOutcome.Updated, 1, first.Definition.Id), (edited.Outcome, edited.Definition.Version, edited.Definition.Id));

        await data.InScopeAsync(s => s.GetRequiredService<WorkflowDefinitionCatalog>().PublishAsync("greeting", ct));
        var publishedJson = await data.InScopeAsync(s => s.GetRequiredService<ManyiDbContext>().WorkflowDefinitions.Where(d => d.Version == 1).Select(d => d.Json).SingleAsync(ct));

        // A change to a published version becomes version 2; version 1 keeps its content.
        var second = await data.InScopeAsync(s => s.GetRequiredService<WorkflowDefinitionCatalog>().ImportAsync(Greeting("two"), false, null, ct));
        Assert.Equal((ImportOutcome.Created, 2, DefinitionStatus.Draft), (second.Outcome, second.Definition.Version, second.Definition.Status));
        var versionOne = await data.InScopeAsync(s => s.GetRequiredService<ManyiDbContext>().WorkflowDefinitions.AsNoTracking().SingleAsync(d => d.Version == 1, ct));
        Assert.Equal(DefinitionStatus.Published, versionOne.Status);
        Assert.Equal(publishedJson, versionOne.Json);

        await data.InScopeAsync(s => s.GetRequiredService<WorkflowDefinitionCatalog>().PublishAsync("greeting", ct));
        var statuses = await data.InScopeAsync(s => s.GetRequiredService<ManyiDbContext>().WorkflowDefinitions
            .OrderBy(d => d.Version).Select(d => d.Status).ToListAsync(ct));
        Assert.Equal([DefinitionStatus.Retracted, DefinitionStatus.Published], statuses);
        var retractedContent = ElsaJson.Read(versionOne.Json);
        var afterRetraction = ElsaJson.Read(await data.InScopeAsync(s => s.GetRequiredService<ManyiDbContext>().WorkflowDefinitions.Where(d => d.Version == 1).Select(d => d.Json).SingleAsync(ct)));
        Assert.Equal(WorkflowDefinitionCatalog.ContentHash(retractedContent), WorkflowDefinitionCatalog.ContentHash(afterRetraction));

        await data.InScopeAsync(s => s.GetRequiredService<WorkflowDefinitionCatalog>().RetractAsync("greeting", ct));
        var start = () => data.InScopeAsync(s => s.GetRequiredService<WorkflowRuntime>().StartAsync("greeting", new StartOptions(), ct));
        var missing = await Assert.ThrowsAsync<WorkflowNotFoundException>(start);
        Assert.Equal("Workflow definition 'greeting' has no published version.", missing.Message);
        await Assert.ThrowsAsync<DefinitionConflictException>(() =>
            data.InScopeAsync(s => s.GetRequiredService<WorkflowDefinitionCatalog>().RetractAsync("greeting", ct)));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task An_import_based_on_an_older_version_is_a_conflict_an_identical_one_is_unchanged_and_one_ahead_is_the_next_version(string provider)
    {
        await using var data = await StartAsync(provider);
        var ct = TestContext.Current.CancellationToken;
        Task<ImportResult> Import(Engine.Model.WorkflowDefinition definition, bool versionGiven) =>
            data.InScopeAsync(s => s.GetRequiredService<WorkflowDefinitionCatalog>().ImportAsync(definition, versionGiven, null, ct));

        await Import(Greeting("one"), false);
        await data.InScopeAsync(s => s.GetRequiredService<WorkflowDefinitionCatalog>().PublishAsync("greeting", ct));
        await Import(Greeting("two"), false);

        var stale = Greeting("three");
        stale.Version = 1;
        var conflict = await Assert.ThrowsAsync<DefinitionConflictException>(() => Import(stale, true));
        Assert.Contains("moved on to version 2 since version 1", conflict.Message);

        var same = Greeting("one");
        same.Version = 1;
        var unchanged = await Import(same, true);
        Assert.Equal((ImportOutcome.Unchanged, 1), (unchanged.Outcome, unchanged.Definition.Version));

        // Ahead of the store (a file from Elsa Studio): the next version, the draft version 2 left as it was.
        var ahead = Greeting("four");
        ahead.Version = 7;
        var next = await Import(ahead, true);
        Assert.Equal((ImportOutcome.Created, 3), (next.Outcome, next.Definition.Version));
        Assert.Equal("The file's version 7 is ahead of the latest stored version 2; it was stored as version 3.", next.Notice);
        Assert.Contains("two", (await data.InScopeAsync(s => s.GetRequiredService<WorkflowDefinitionCatalog>().FindAsync("greeting", 2, ct)))!.Json);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task An_invalid_definition_is_refused_with_every_problem_and_nothing_is_saved(string provider)
    {
        await using var data = await StartAsync(provider);
        var ct = TestContext.Current.CancellationToken;
        var broken = Workflow("broken", """[{"id": "a", "type": "Elsa.Nope"}, {"id": "b", "type": "Elsa.SetVariable"}]""", $"[{Connect("b", "zz")}]");

        var invalid = await Assert.ThrowsAsync<WorkflowValidationException>(() =>
            data.InScopeAsync(s => s.GetRequiredService<WorkflowDefinitionCatalog>().ImportAsync(broken, false, null, ct)));

        Assert.Contains(invalid.Problems, p => p is { ActivityId: "a", ActivityType: "Elsa.Nope" } && p.Message.Contains("unknown"));
        Assert.Contains(invalid.Problems, p => p is { ActivityId: "b", Input: "variable" } && p.Message == "is required");
        Assert.Contains(invalid.Problems, p => p.Message.Contains("dangling"));
        Assert.Equal(0, await data.InScopeAsync(s => s.GetRequiredService<ManyiDbContext>().WorkflowDefinitions.CountAsync(ct)));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task An_instance_stays_on_the_version_it_started_on(string provider)
    {
        await using var data = await StartAsync(provider);
        var ct = TestContext.Current.CancellationToken;
        Engine.Model.WorkflowDefinition Versioned(string text) =>
            Workflow("pinned", $"[{Event("wait", "go")}, {WriteLine("say", text)}]", $"[{Connect("wait", "say")}]");

        await data.InScopeAsync(s => s.GetRequiredService<WorkflowDefinitionCatalog>().ImportAsync(Versioned("from version 1"), false, null, ct));
        await data.InScopeAsync(s => s.GetRequiredService<WorkflowDefinitionCatalog>().PublishAsync("pinned", ct));
        var instance = await data.InScopeAsync(s => s.GetRequiredService<WorkflowRuntime>().StartAsync("pinned", new StartOptions(), ct));

        await data.InScopeAsync(s => s.GetRequiredService<WorkflowDefinitionCatalog>().ImportAsync(Versioned("from version 2"), false, null, ct));
        await data.InScopeAsync(s => s.GetRequiredService<WorkflowDefinitionCatalog>().PublishAsync("pinned", ct));
        await data.InScopeAsync(s => s.GetRequiredService<WorkflowRuntime>().SendStimulusAsync(
            new Stimulus("Elsa.Event", "go") { WorkflowInstanceId = instance.Id }, ct));

        var messages = await data.InScopeAsync(s => s.GetRequiredService<ManyiDbContext>().JournalEntries
            .Where(j => j.InstanceId == instance.Id && j.Event == "Message").Select(j => j.Message).ToListAsync(ct));
        Assert.Equal(["from version 1"], messages);
    }
}
