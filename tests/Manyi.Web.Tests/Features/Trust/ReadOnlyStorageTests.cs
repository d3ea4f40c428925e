using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;

namespace Manyi.Web.Tests.Features.Trust;

/// <summary>
/// Storage that stops taking writes (a read-only database, disk or folder) answers 503 "storage unavailable" with
/// nothing changed, readiness turns unhealthy, and a sign-in that cannot be audited does not happen.
/// </summary>
public sealed class ReadOnlyStorageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task Read_only_storage_answers_503_and_readiness_is_unhealthy(string provider)
    {
        await using var storage = await ManyiStorage.CreateAsync(provider);
        await using var app = new ManyiApp(storage);
        var admin = app.CreateClient();
        var anonymous = app.CreateAnonymousClient();
        await anonymous.FetchAsync("/health/ready").ExpectOkAsync();
        await MakeReadOnlyAsync(storage, readOnly: true);
        try
        {
            // Connections opened before the change are dropped one by one: the first requests may meet one of them.
            for (var i = 0; i < 5; i++) await anonymous.FetchAsync("/health/ready");

            var ready = await anonymous.FetchAsync("/health/ready");
            var import = await admin.PostJsonAsync("/api/workflow-definitions/import", Workflows.Hello("read-only")).ExpectAsync(HttpStatusCode.ServiceUnavailable);
            var signIn = await anonymous.PostAsJsonAsync("/api/auth/login", new { email = ManyiApp.AdminEmail, password = ManyiApp.AdminPassword }, Ct)
                .ExpectAsync(HttpStatusCode.ServiceUnavailable);

            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("\"storage\"", await ready.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
            Assert.Equal("Storage unavailable.", import.GetString("title"));
            Assert.Equal("Storage unavailable.", signIn.GetString("title"));
        }
        finally
        {
            await MakeReadOnlyAsync(storage, readOnly: false);
        }
        // (SQLite on a read-only folder cannot even read: it is asked once the storage is back.)
        for (var i = 0; i < 5; i++) await anonymous.FetchAsync("/health/ready");
        Assert.Empty((await admin.FetchAsync("/api/workflow-definitions").ExpectOkAsync()).GetArray("items"));
    }

    /// <summary>
    /// Only the files folder read-only (the database takes writes): an upload answers 503 with no file recorded, and
    /// readiness is unhealthy, since every upload would fail.
    /// </summary>
    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task A_read_only_files_folder_answers_503_to_an_upload_and_readiness_is_unhealthy(string provider)
    {
        await using var storage = await ManyiStorage.CreateAsync(provider);
        await using var app = new ManyiApp(storage);
        await app.CreateUserAsync("zhengzhou.mobile@example.org", Manyi.Persistence.Records.ManyiRoles.Participant, "mobile-zhengzhou");
        var admin = app.CreateClient();
        await admin.DeployAsync(Workflows.HeadcountReport("headcount", ["mobile-zhengzhou"],
            """{"fields": [{"name": "report", "label": "实践报告", "type": "file"}]}"""));
        await admin.ExecuteAsync("headcount");
        var participant = await app.CreateClientForAsync("zhengzhou.mobile@example.org");
        var taskId = Assert.Single((await participant.FetchAsync("/api/tasks").ExpectOkAsync()).GetArray("items")).GetString("id");
        var anonymous = app.CreateAnonymousClient();
        await anonymous.FetchAsync("/health/ready").ExpectOkAsync();
        var files = Path.Combine(storage.DataDirectory, "files");
        Directory.CreateDirectory(files);
        await ImmutableAsync(files, immutable: true);
        try
        {
            using var form = new MultipartFormDataContent { { new ByteArrayContent("%PDF-1.4\n%%EOF\n"u8.ToArray()), "file", "report.pdf" } };
            var upload = await participant.PostAsync($"/api/tasks/{taskId}/files?field=report", form, Ct).ExpectAsync(HttpStatusCode.ServiceUnavailable);
            var ready = await anonymous.FetchAsync("/health/ready");

            Assert.Equal("Storage unavailable.", upload.GetString("title"));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("\"storage\"", await ready.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }
        finally
        {
            await ImmutableAsync(files, immutable: false);
        }
        var task = await participant.FetchAsync($"/api/tasks/{taskId}").ExpectOkAsync();
        Assert.Empty(task.GetArray("files"));
        await anonymous.FetchAsync("/health/ready").ExpectOkAsync();
    }

    /// <summary>PostgreSQL: the database's default transactions read-only. SQLite: the file and the data folder immutable (the tests run as root, which file modes do not stop).</summary>
    private static async Task MakeReadOnlyAsync(ManyiStorage storage, bool readOnly)
    {
        if (storage.Postgres is { } postgres)
        {
            await using var connection = new NpgsqlConnection(postgres.ConnectionString);
            await connection.OpenAsync(Ct);
            await using var command = connection.CreateCommand();
            command.CommandText = $"ALTER DATABASE \"{connection.Database}\" SET default_transaction_read_only = {(readOnly ? "on" : "off")}; " +
                                  "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()";
            await command.ExecuteNonQueryAsync(Ct);
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        await ImmutableAsync(storage.DataDirectory, readOnly);
    }

    /// <summary>A folder and everything in it immutable (or not again); the tests run as root, which file modes do not stop.</summary>
    private static async Task ImmutableAsync(string folder, bool immutable)
    {
        var paths = Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories).Prepend(folder).ToList();
        foreach (var path in immutable ? paths : Enumerable.Reverse(paths))
        {
            using var chattr = Process.Start("chattr", [immutable ? "+i" : "-i", path]);
            await chattr.WaitForExitAsync(Ct);
        }
    }
}
