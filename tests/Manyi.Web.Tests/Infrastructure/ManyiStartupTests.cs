using System.Net;

namespace Manyi.Web.Tests.Infrastructure;

/// <summary>Start-up: the schema is migrated and the workflows folder imported, once per change of a file.</summary>
public sealed class ManyiStartupTests
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task The_workflows_folder_is_imported_at_start_up_and_a_broken_file_does_not_stop_the_app(string provider)
    {
        await using var storage = await ManyiStorage.CreateAsync(provider);
        await storage.WriteWorkflowFileAsync("good.json", Workflows.Hello("good"));
        await storage.WriteWorkflowFileAsync("broken.json",
            Workflows.Flowchart("broken", $$"""{{Workflows.Start()}}, {"id": "mystery", "type": "Acme.Teleport"}""", Workflows.Connect("start", "mystery")));
        Directory.CreateDirectory(Path.Combine(storage.WorkflowsDirectory, "nested"));
        await storage.WriteWorkflowFileAsync(Path.Combine("nested", "named-by-file.json"),
            Workflows.Hello("").Replace("\"definitionId\": \"\",", ""));

        await using (var app = new ManyiApp(storage))
        {
            var client = app.CreateClient();
            var list = await client.FetchAsync("/api/workflow-definitions").ExpectOkAsync();
            var items = list.GetArray("items");
            Assert.Equal(["good", "named-by-file"], items.Select(i => i.GetString("definitionId")).Order());
            Assert.All(items, i => Assert.Equal("Published", i.GetString("status")));
            Assert.All(items, i => Assert.Equal(1, i!["version"]!.GetValue<int>()));
            var good = items.Single(i => i.GetString("definitionId") == "good");
            Assert.Equal("good.json", good.GetString("sourcePath"));
            await client.FetchAsync("/api/workflow-definitions/broken").ExpectAsync(HttpStatusCode.NotFound);
            Assert.Equal("Finished", (await client.ExecuteAsync("good")).GetString("status"));
        }

        // A restart on the same data imports nothing new.
        await using (var app = new ManyiApp(storage))
        {
            var client = app.CreateClient();
            var versions = (await client.FetchAsync("/api/workflow-definitions/good/versions").ExpectOkAsync()).AsArray();
            var only = Assert.Single(versions);
            Assert.Equal("Published", only.GetString("status"));
            Assert.Single((await client.FetchAsync("/api/workflow-definitions/named-by-file/versions").ExpectOkAsync()).AsArray());
            Assert.Equal(2, (await client.FetchAsync("/api/workflow-definitions").ExpectOkAsync())["totalCount"]!.GetValue<int>());
            Assert.Equal(1, (await client.FetchAsync("/api/workflow-instances").ExpectOkAsync())["totalCount"]!.GetValue<int>());
        }

        // A changed file becomes version 2, published; version 1 is retracted.
        await storage.WriteWorkflowFileAsync("good.json", Workflows.Hello("good", "Hello, version 2"));
        await using (var app = new ManyiApp(storage))
        {
            var client = app.CreateClient();
            var versions = (await client.FetchAsync("/api/workflow-definitions/good/versions").ExpectOkAsync()).AsArray();
            Assert.Equal([2, 1], versions.Select(v => v!["version"]!.GetValue<int>()));
            Assert.Equal(["Published", "Retracted"], versions.Select(v => v.GetString("status")));
            var instance = await client.ExecuteAsync("good");
            Assert.Equal(2, instance["version"]!.GetValue<int>());
            var journal = await client.FetchAsync($"/api/workflow-instances/{instance.GetString("id")}/journal").ExpectOkAsync();
            Assert.Contains(journal.GetArray("items"), e => e!["message"]?.GetValue<string>() == "Hello, version 2");
            Assert.Single((await client.FetchAsync("/api/workflow-definitions/named-by-file/versions").ExpectOkAsync()).AsArray());
        }
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_file_whose_version_is_still_a_draft_is_published_and_a_retracted_one_stays_retracted(string provider)
    {
        await using var storage = await ManyiStorage.CreateAsync(provider);
        await using (var app = new ManyiApp(storage))
        {
            // The same content as the file, left a draft, as a start-up that stopped between import and publish would leave it.
            var client = app.CreateClient();
            await client.ImportAsync(Workflows.Hello("staged"));
        }
        await storage.WriteWorkflowFileAsync("staged.json", Workflows.Hello("staged"));
        await storage.WriteWorkflowFileAsync("withdrawn.json", Workflows.Hello("withdrawn"));

        await using (var app = new ManyiApp(storage))
        {
            var client = app.CreateClient();
            var staged = Assert.Single((await client.FetchAsync("/api/workflow-definitions/staged/versions").ExpectOkAsync()).AsArray());
            Assert.Equal("Published", staged.GetString("status"));
            Assert.Equal("Published", Assert.Single((await client.FetchAsync("/api/workflow-definitions/withdrawn/versions").ExpectOkAsync()).AsArray()).GetString("status"));
            await client.PostJsonAsync("/api/workflow-definitions/withdrawn/retract", null).ExpectOkAsync();
        }

        await using (var app = new ManyiApp(storage))
        {
            var client = app.CreateClient();
            var withdrawn = Assert.Single((await client.FetchAsync("/api/workflow-definitions/withdrawn/versions").ExpectOkAsync()).AsArray());
            Assert.Equal("Retracted", withdrawn.GetString("status"));
        }
    }

    [Theory]
    [InlineData("sqlite")]
    public async Task A_missing_workflows_folder_is_no_reason_not_to_start(string provider)
    {
        await using var storage = await ManyiStorage.CreateAsync(provider);
        Directory.Delete(storage.WorkflowsDirectory);
        await using var app = new ManyiApp(storage);
        var list = await app.CreateClient().FetchAsync("/api/workflow-definitions").ExpectOkAsync();
        Assert.Equal(0, list["totalCount"]!.GetValue<int>());
    }

    [Fact]
    public async Task The_embedded_default_keeps_its_database_in_the_data_directory()
    {
        await using var storage = await ManyiStorage.CreateAsync("sqlite");
        await using var app = new ManyiApp(storage);
        await app.CreateClient().FetchAsync("/api/workflow-definitions").ExpectOkAsync();
        Assert.True(File.Exists(Path.Combine(storage.DataDirectory, "manyi.db")));
    }

    [Fact]
    public async Task On_PostgreSQL_the_app_refuses_an_unmigrated_schema_unless_told_to_migrate()
    {
        await using var storage = await ManyiStorage.CreateAsync("postgres");

        await using (var app = new ManyiApp(storage, migrateOnStartup: false))
        {
            var refused = Assert.ThrowsAny<Exception>(() => app.CreateClient());
            var reason = Flatten(refused).OfType<InvalidOperationException>().FirstOrDefault(e => e.Message.StartsWith("The database lacks", StringComparison.Ordinal));
            Assert.True(reason is not null, $"Expected the start-up to name the missing migrations, got: {refused}");
            Assert.Contains("Initial", reason.Message);
            Assert.Contains("Manyi:MigrateOnStartup=true", reason.Message);
        }

        await using (var app = new ManyiApp(storage, migrateOnStartup: true))
            await app.CreateClient().FetchAsync("/api/workflow-definitions").ExpectOkAsync();

        // Once migrated, the app starts without being told to migrate.
        await using (var app = new ManyiApp(storage, migrateOnStartup: false))
            await app.CreateClient().FetchAsync("/api/workflow-definitions").ExpectOkAsync();
    }

    private static IEnumerable<Exception> Flatten(Exception exception)
    {
        yield return exception;
        IEnumerable<Exception> inner = exception is AggregateException aggregate ? aggregate.InnerExceptions : exception.InnerException is { } one ? [one] : [];
        foreach (var e in inner.SelectMany(Flatten)) yield return e;
    }
}
