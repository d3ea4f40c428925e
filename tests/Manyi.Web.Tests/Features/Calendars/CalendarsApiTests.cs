using Manyi.Persistence.Audit;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Manyi.Engine.Calendar;
using Manyi.Persistence.Records;
using Manyi.Web.Features.Calendars;
using Microsoft.Extensions.DependencyInjection;

namespace Manyi.Web.Tests.Features.Calendars;

/// <summary>Reading the business calendar and saving a year of holidays through the API, without a restart.</summary>
public sealed class CalendarsApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>2026 as the State Council set it (notice of 4 November 2025): the file the repository ships.</summary>
    private static readonly string Official2026 = File.ReadAllText(Campaign.CampaignSimulation.RepositoryFile("calendars/cn-2026.json"));

    /// <summary>An invented year far enough ahead that deadlines in it are still to come: 1–5 May off, Saturday 9 May worked.</summary>
    private const string Invented2099 = """{"year": 2099, "source": "test data", "daysOff": [{"from": "2099-05-01", "to": "2099-05-05"}], "workingWeekends": ["2099-05-09"]}""";

    [Theory]
    [InlineData("sqlite")]
    public async Task A_saved_year_is_in_force_at_once_written_to_its_file_and_audited(string provider)
    {
        using var folder = new CalendarFolderForTest();
        await using var app = await StartAsync(provider, folder);
        var client = app.CreateClient();
        var before = await client.FetchAsync("/api/calendars").ExpectOkAsync();
        Assert.Equal("Asia/Shanghai", before.GetString("timeZone"));
        Assert.Equal("09:00:00", before.GetString("workdayStart"));
        Assert.Equal([2025], before.GetArray("years").Select(y => y!.GetValue<int>()));
        await client.FetchAsync("/api/calendars/2026").ExpectAsync(HttpStatusCode.NotFound);

        var saved = await client.PutJsonAsync("/api/calendars/2026", Official2026).ExpectOkAsync();

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Official2026), saved), saved.ToJsonString());
        Assert.Equal([2025, 2026], (await client.FetchAsync("/api/calendars").ExpectOkAsync()).GetArray("years").Select(y => y!.GetValue<int>()));
        Assert.True(JsonNode.DeepEquals(saved, await client.FetchAsync("/api/calendars/2026").ExpectOkAsync()));
        // Under the data directory: the shipped folder is a read-only base.
        var savedFile = Path.Combine(app.Storage.DataDirectory, "calendars", "cn-2026.json");
        Assert.Equal(HolidayYear.Parse(Official2026, "sent"), HolidayYear.Parse(await File.ReadAllTextAsync(savedFile, Ct), "cn-2026.json"));
        Assert.Equal(["cn-2025.json"], Directory.EnumerateFiles(folder.Path).Select(Path.GetFileName));
        // Labour Day 2026 runs 1–5 May: one working day after 30 April is 6 May.
        Assert.Equal(new DateOnly(2026, 5, 6), app.Services.GetRequiredService<BusinessCalendar>().AddWorkingDays(new DateOnly(2026, 4, 30), 1));
        var audit = await client.FetchAsync($"/api/audit?action={AuditActions.CalendarYearSaved}").ExpectOkAsync();
        var line = Assert.Single(audit.GetArray("items"))!;
        Assert.Equal("2026", line.GetString("subjectId"));
        Assert.Equal(ManyiApp.AdminEmail, line.GetString("userName"));

        await app.CreateUserAsync("zhengzhou@example.org", ManyiRoles.Participant, "mobile-zhengzhou");
        var participant = await app.CreateClientForAsync("zhengzhou@example.org");
        await participant.FetchAsync("/api/calendars/2026").ExpectOkAsync();
        await participant.PutJsonAsync("/api/calendars/2026", Official2026.Replace("2026-05-09", "2026-05-16")).ExpectAsync(HttpStatusCode.Forbidden);
        Assert.True(JsonNode.DeepEquals(saved, await client.FetchAsync("/api/calendars/2026").ExpectOkAsync()));
    }

    [Theory]
    [InlineData("sqlite")]
    public async Task A_deadline_in_working_days_counts_the_holidays_of_a_year_saved_after_start_up(string provider)
    {
        using var folder = new CalendarFolderForTest();
        await using var app = await StartAsync(provider, folder);
        var client = app.CreateClient();
        // Two working days after Thursday 30 April 2099, at 18:00 in Beijing.
        await client.DeployAsync(Workflows.Flowchart("report-2099",
            Workflows.Start() + ", " +
            """
            {"id": "report", "type": "Elsa.Event",
             "eventName": {"typeName": "String", "expression": {"type": "Literal", "value": "reported-2099"} },
             "deadline": {"typeName": "Object", "expression": {"type": "Literal", "value": {"workingDaysAfter": "2099-04-30T10:00:00+08:00", "days": 2, "time": "18:00"} } } }
            """,
            Workflows.Connect("start", "report")));

        var weekendsOnly = await DeadlineOfNewInstanceAsync(client);
        await client.PutJsonAsync("/api/calendars/2099", Invented2099).ExpectOkAsync();
        var withHolidays = await DeadlineOfNewInstanceAsync(client);

        Assert.Equal(DateTimeOffset.Parse("2099-05-04T18:00:00+08:00"), weekendsOnly); // Friday 1 May, Monday 4 May
        Assert.Equal(DateTimeOffset.Parse("2099-05-07T18:00:00+08:00"), withHolidays); // 1–5 May off: Wednesday 6, Thursday 7 May
    }

    [Theory]
    [InlineData("sqlite")]
    public async Task A_bad_year_is_refused_naming_the_problem_and_leaves_the_file_as_it_was(string provider)
    {
        using var folder = new CalendarFolderForTest();
        await using var app = await StartAsync(provider, folder);
        var client = app.CreateClient();
        var file = await File.ReadAllBytesAsync(folder.FileOf(2025), Ct);
        var inForce = await client.FetchAsync("/api/calendars/2025").ExpectOkAsync();

        (string Body, string Field, string Says)[] cases =
        [
            ("""{"year": 2025, "daysOff": ["2025-05-01", "2026-01-01"]}""", "daysOff[1]", "2026-01-01 is not in 2025"),
            ("""{"year": 2025, "daysOff": [{"from": "2025-02-08", "to": "2025-02-09"}], "workingWeekends": ["2025-02-08"]}""", "workingWeekends[0]", "is also a day off (daysOff[0])"),
            ("""{"year": 2025, "workingWeekends": ["2025-02-10"]}""", "workingWeekends[0]", "is a Monday, not a Saturday or Sunday"),
            ("""{"year": 2024, "daysOff": ["2024-05-01"]}""", "year", "The body is for 2024, the address for 2025"),
            ("year: 2025", "$", "Not valid JSON"),
            ("", "$", "Not valid JSON"),
        ];
        foreach (var (body, field, says) in cases)
        {
            var problem = await client.PutJsonAsync("/api/calendars/2025", body).ExpectAsync(HttpStatusCode.BadRequest);
            var messages = problem["errors"]?[field]?.AsArray().Select(m => m!.GetValue<string>()).ToList();
            Assert.True(messages?.Any(m => m.Contains(says, StringComparison.Ordinal)) == true, $"{body} → {problem.ToJsonString()}");
        }

        Assert.Equal(file, await File.ReadAllBytesAsync(folder.FileOf(2025), Ct));
        Assert.Single(Directory.EnumerateFileSystemEntries(folder.Path));
        Assert.True(JsonNode.DeepEquals(inForce, await client.FetchAsync("/api/calendars/2025").ExpectOkAsync()));
        Assert.Empty((await client.FetchAsync($"/api/audit?action={AuditActions.CalendarYearSaved}").ExpectOkAsync()).GetArray("items"));
    }

    [Theory]
    [InlineData("sqlite")]
    public async Task A_saved_year_leaves_the_shipped_file_alone_and_wins_over_it_after_a_restart(string provider)
    {
        using var folder = new CalendarFolderForTest();
        var shipped = await File.ReadAllBytesAsync(folder.FileOf(2025), Ct);
        var changed = """{"year": 2025, "source": "administrator", "daysOff": ["2025-05-01", "2025-05-02"]}""";
        await using var storage = await ManyiStorage.CreateMigratedAsync(provider);
        await using (var app = new ManyiApp(storage))
        {
            app.Settings["Manyi:CalendarDirectory"] = folder.Path;
            await app.CreateClient().PutJsonAsync("/api/calendars/2025", changed).ExpectOkAsync();
        }
        Assert.Equal(shipped, await File.ReadAllBytesAsync(folder.FileOf(2025), Ct));

        await using var restarted = new ManyiApp(storage);
        restarted.Settings["Manyi:CalendarDirectory"] = folder.Path;
        var inForce = await restarted.CreateClient().FetchAsync("/api/calendars/2025").ExpectOkAsync();
        Assert.Equal("administrator", inForce.GetString("source"));
        // A reload reads both folders and keeps the saved year.
        await restarted.Services.GetRequiredService<CalendarFolder>().ReloadAsync(Ct);
        Assert.Equal("administrator", (await restarted.CreateClient().FetchAsync("/api/calendars/2025").ExpectOkAsync()).GetString("source"));
        Assert.True(restarted.Services.GetRequiredService<BusinessCalendar>().IsWorkingDay(new DateOnly(2025, 5, 5)));
    }

    [Theory]
    [InlineData("sqlite")]
    public async Task A_year_another_node_wrote_into_the_folder_comes_into_force_and_a_broken_file_takes_nothing_away(string provider)
    {
        using var folder = new CalendarFolderForTest();
        await using var app = await StartAsync(provider, folder, reloadInterval: "00:00:00.2");
        var client = app.CreateClient();

        await File.WriteAllTextAsync(folder.FileOf(2099), Invented2099, Ct);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!(await client.FetchAsync("/api/calendars").ExpectOkAsync()).GetArray("years").Any(y => y!.GetValue<int>() == 2099))
        {
            Assert.True(DateTime.UtcNow < deadline, "The reload did not pick up cn-2099.json within 15 s.");
            await Task.Delay(100, Ct);
        }
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Invented2099), await client.FetchAsync("/api/calendars/2099").ExpectOkAsync()));

        await File.WriteAllTextAsync(folder.FileOf(2025), """{"year": 2025, "daysOff": ["2025-13-01"]}""", Ct);
        File.Delete(folder.FileOf(2099));
        var loaded = await app.Services.GetRequiredService<CalendarFolder>().ReloadAsync(Ct);

        Assert.Empty(loaded);
        var calendar = app.Services.GetRequiredService<BusinessCalendar>();
        Assert.False(calendar.IsWorkingDay(new DateOnly(2025, 5, 1)));
        Assert.True(calendar.IsWorkingDay(new DateOnly(2099, 5, 9)));
    }

    private static async Task<ManyiApp> StartAsync(string provider, CalendarFolderForTest folder, string? reloadInterval = null)
    {
        var app = await ManyiApp.StartAsync(provider);
        app.Settings["Manyi:CalendarDirectory"] = folder.Path;
        if (reloadInterval is not null) app.Settings["Manyi:Calendar:ReloadInterval"] = reloadInterval;
        return app;
    }

    private static async Task<DateTimeOffset> DeadlineOfNewInstanceAsync(HttpClient client)
    {
        var started = await client.ExecuteAsync("report-2099");
        var instance = await client.GetInstanceAsync(started.GetString("id"));
        return DateTimeOffset.Parse(instance.GetArray("bookmarks").Single(b => b.GetString("name") == "Manyi.Deadline").GetString("resumeAt"));
    }

    /// <summary>A calendar folder of the test's own, holding a copy of the repository's cn-2025.json.</summary>
    private sealed class CalendarFolderForTest : IDisposable
    {
        public CalendarFolderForTest()
        {
            Path = Directory.CreateTempSubdirectory("manyi-calendars-").FullName;
            File.Copy(System.IO.Path.Combine(RepositoryCalendars(), "cn-2025.json"), FileOf(2025));
        }

        public string Path { get; }

        public string FileOf(int year) => System.IO.Path.Combine(Path, $"cn-{year}.json");

        public void Dispose() => Directory.Delete(Path, recursive: true);

        private static string RepositoryCalendars()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(System.IO.Path.Combine(dir.FullName, "global.json")) && Directory.Exists(System.IO.Path.Combine(dir.FullName, "calendars")))
                    return System.IO.Path.Combine(dir.FullName, "calendars");
            throw new InvalidOperationException($"No repository root (global.json) above {AppContext.BaseDirectory}.");
        }
    }
}

internal static class CalendarRequests
{
    public static Task<HttpResponseMessage> PutJsonAsync(this HttpClient client, string url, string json) =>
        client.PutAsync(url, new StringContent(json, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
}
