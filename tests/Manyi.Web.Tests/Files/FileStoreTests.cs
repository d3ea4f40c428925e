using System.Security.Cryptography;
using Manyi.Persistence;
using Manyi.Web.Features.Files;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Manyi.Web.Tests.Files;

/// <summary>The file store on a real, migrated SQLite database and a real folder, both temporary.</summary>
public sealed class FileStoreTests : IAsyncLifetime
{
    private const long MiB = 1024 * 1024;
    private static readonly DateTimeOffset Now = new(2025, 5, 7, 9, 30, 0, TimeSpan.FromHours(8));

    private readonly string _root = Path.Combine(Path.GetTempPath(), "manyi-files-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly FileStoreOptions _options;

    public FileStoreTests() => _options = new FileStoreOptions { Directory = Path.Combine(_root, "files"), MaxFileBytes = 1 * MiB, MaxTaskBytes = 2 * MiB + MiB / 2 };

    private CancellationToken Ct => TestContext.Current.CancellationToken;
    private string DatabasePath => Path.Combine(_root, "manyi.db");

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        await using var db = Database();
        await db.Database.MigrateAsync(Ct);
    }

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Stores_the_content_under_its_id_with_size_hash_and_sniffed_type()
    {
        var content = RandomBytes(300_000);
        content[..ContentSnifferTests.PdfBytes.Length].AsSpan().Clear();
        ContentSnifferTests.PdfBytes.CopyTo(content, 0);
        await using var db = Database();

        var saved = await Store(db).SaveAsync("task-1", "mobile-zhengzhou", "../../实践报告.pdf", new MemoryStream(content), "user-1", Ct);

        Assert.Equal(32, saved.Id.Length);
        Assert.Equal("实践报告.pdf", saved.FileName);
        Assert.Equal("application/pdf", saved.ContentType);
        Assert.Equal(300_000, saved.Size);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), saved.Sha256);
        Assert.Equal($"2025/05/{saved.Id}", saved.StoragePath);
        Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(_options.Directory!, "2025", "05", saved.Id), Ct));
        Assert.Equal([Path.Combine(_options.Directory!, "2025", "05", saved.Id)], StoredFiles());

        await using var other = Database();
        var row = await other.Files.SingleAsync(Ct);
        Assert.Equal((saved.Id, "task-1", "mobile-zhengzhou", "user-1", Now), (row.Id, row.TaskId, row.OrganizationId, row.UploadedByUserId, row.UploadedAt));
        Assert.Equal((saved.Sha256, saved.Size, saved.ContentType), (row.Sha256, row.Size, row.ContentType));
    }

    [Fact]
    public async Task Opens_the_same_bytes_read_only()
    {
        var content = RandomBytes(100_000);
        await using (var db = Database())
            await Store(db).SaveAsync("task-1", null, "data.bin", new MemoryStream(content), "user-1", Ct);
        await using var reader = Database();
        var id = (await reader.Files.SingleAsync(Ct)).Id;

        var opened = await Store(reader).OpenAsync(id, Ct);

        Assert.NotNull(opened);
        await using var stream = opened.Value.Content;
        Assert.False(stream.CanWrite);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, Ct);
        Assert.Equal(content, copy.ToArray());
        Assert.Equal("application/octet-stream", opened.Value.Record.ContentType);
        Assert.Null(await Store(reader).OpenAsync("no-such-file", Ct));
    }

    [Fact]
    public async Task A_png_named_pdf_is_stored_as_a_png()
    {
        await using var db = Database();

        var saved = await Store(db).SaveAsync("task-1", null, "scan.pdf", new MemoryStream(ContentSnifferTests.PngBytes), "user-1", Ct);

        Assert.Equal("image/png", saved.ContentType);
        Assert.Equal("scan.pdf", saved.FileName);
    }

    [Fact]
    public async Task An_oversized_file_is_refused_as_soon_as_it_passes_the_limit_leaving_nothing_behind()
    {
        var endless = new EndlessStream();
        await using var db = Database();

        var error = await Assert.ThrowsAsync<FileRejectedException>(() => Store(db).SaveAsync("task-1", null, "big.pdf", endless, "user-1", Ct));

        Assert.Equal("文件超过 1 MB 上限。The file exceeds the 1 MB limit.", error.Message);
        Assert.Equal("file", error.Field);
        Assert.InRange(endless.BytesRead, MiB + 1, MiB + 128 * 1024);
        Assert.Empty(StoredFiles());
        await using var other = Database();
        Assert.False(await other.Files.AnyAsync(Ct));
    }

    [Fact]
    public async Task A_file_at_the_limit_is_accepted()
    {
        await using var db = Database();

        var saved = await Store(db).SaveAsync("task-1", null, "exact.bin", new MemoryStream(RandomBytes((int)MiB)), "user-1", Ct);

        Assert.Equal(MiB, saved.Size);
    }

    [Fact]
    public async Task A_task_cannot_hold_more_than_its_total_but_another_task_can()
    {
        await using var db = Database();
        var store = Store(db);
        await store.SaveAsync("task-1", null, "a.bin", new MemoryStream(RandomBytes((int)MiB)), "user-1", Ct);
        await store.SaveAsync("task-1", null, "b.bin", new MemoryStream(RandomBytes((int)MiB)), "user-1", Ct);

        var error = await Assert.ThrowsAsync<FileRejectedException>(() =>
            store.SaveAsync("task-1", null, "c.bin", new MemoryStream(RandomBytes((int)(MiB * 3 / 4))), "user-1", Ct));
        await store.SaveAsync("task-2", null, "c.bin", new MemoryStream(RandomBytes((int)(MiB * 3 / 4))), "user-1", Ct);

        Assert.Equal("此任务的文件合计超过 2.5 MB 上限。The task's files together exceed the 2.5 MB limit.", error.Message);
        Assert.Equal(3, StoredFiles().Length);
        await using var other = Database();
        Assert.Equal([("task-1", 2), ("task-2", 1)],
            (await other.Files.GroupBy(f => f.TaskId).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(Ct)).Select(g => (g.Key, g.Count)).Order());
    }

    [Fact]
    public async Task An_empty_file_is_refused()
    {
        await using var db = Database();

        var error = await Assert.ThrowsAsync<FileRejectedException>(() => Store(db).SaveAsync("task-1", null, "empty.pdf", new MemoryStream(), "user-1", Ct));

        Assert.Equal("文件为空。The file is empty.", error.Message);
        Assert.Empty(StoredFiles());
        Assert.False(await db.Files.AnyAsync(Ct));
    }

    [Fact]
    public async Task When_the_row_cannot_be_saved_the_content_is_deleted_and_the_row_forgotten()
    {
        await using var db = Database();

        await Assert.ThrowsAsync<DbUpdateException>(() =>
            Store(db).SaveAsync("task-1", null, "a.pdf", new MemoryStream(ContentSnifferTests.PdfBytes), uploadedByUserId: null!, Ct));

        Assert.Empty(StoredFiles());
        Assert.Empty(db.ChangeTracker.Entries());
    }

    [Fact]
    public void The_folder_defaults_to_files_in_the_data_directory_and_limits_are_checked()
    {
        var defaults = Options(new() { ["Manyi:DataDirectory"] = "some/data" });
        Assert.Equal(Path.GetFullPath(Path.Combine("some/data", "files")), defaults.Directory);
        Assert.Equal((20 * MiB, 100 * MiB), (defaults.MaxFileBytes, defaults.MaxTaskBytes));
        Assert.Equal(Path.GetFullPath(Path.Combine("data", "files")), Options([]).Directory);
        Assert.Equal(Path.GetFullPath("uploads"), Options(new() { ["Manyi:Files:Directory"] = "uploads" }).Directory);

        var error = Assert.Throws<OptionsValidationException>(() =>
            Options(new() { ["Manyi:Files:MaxFileBytes"] = "50000000", ["Manyi:Files:MaxTaskBytes"] = "40000000" }));
        Assert.Contains("Manyi:Files:MaxTaskBytes must be at least MaxFileBytes.", error.Failures);
        error = Assert.Throws<OptionsValidationException>(() => Options(new() { ["Manyi:Files:MaxFileBytes"] = "0" }));
        Assert.Contains("Manyi:Files:MaxFileBytes must be positive.", error.Failures);
    }

    private static FileStoreOptions Options(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection().AddManyiFiles(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<FileStoreOptions>>().Value;
    }

    private FileStore Store(ManyiDbContext db) => new(db, Microsoft.Extensions.Options.Options.Create(_options), new FixedTime(Now));

    private SqliteManyiDbContext Database() =>
        new(new DbContextOptionsBuilder<SqliteManyiDbContext>().UseSqlite($"Data Source={DatabasePath}").Options);

    /// <summary>Every stored file, temporary ones included.</summary>
    private string[] StoredFiles() =>
        Directory.Exists(_options.Directory) ? Directory.GetFiles(_options.Directory, "*", SearchOption.AllDirectories) : [];

    private static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now.ToUniversalTime();
    }

    /// <summary>An upload that never ends, counting what the store read of it.</summary>
    private sealed class EndlessStream : Stream
    {
        public long BytesRead { get; private set; }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count)
        {
            buffer.AsSpan(offset, count).Fill((byte)'x');
            BytesRead += count;
            return count;
        }
    }
}
