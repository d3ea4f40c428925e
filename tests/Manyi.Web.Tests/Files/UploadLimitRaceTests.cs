using Manyi.Persistence;
using Manyi.Web.Features.Files;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Manyi.Web.Tests.Files;

/// <summary>Parallel uploads to one task together stay within the task's limit (issue 15: six of 19 MiB were all accepted against 100 MiB).</summary>
public sealed class UploadLimitRaceTests
{
    private const long MiB = 1024 * 1024;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task Six_parallel_uploads_of_19_MiB_never_take_a_task_past_100_MiB(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider);
        var options = app.Services.GetRequiredService<IOptions<FileStoreOptions>>().Value;
        Assert.Equal((20 * MiB, 100 * MiB), (options.MaxFileBytes, options.MaxTaskBytes));
        // Every upload has passed the store's first count before any of them is stored: the worst interleaving, every time.
        var allStarted = new Barrier(6);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(async () =>
        {
            await using var scope = app.Services.CreateAsyncScope();
            var store = scope.ServiceProvider.GetRequiredService<FileStore>();
            try
            {
                await store.SaveAsync("task-1", "org-1", $"part-{i}.bin", new GatedStream(19 * MiB, allStarted), "user-1", Ct);
                return true;
            }
            catch (FileRejectedException rejected)
            {
                Assert.Contains("100 MB", rejected.Message, StringComparison.Ordinal);
                return false;
            }
        }, Ct)));

        Assert.Equal(5, outcomes.Count(accepted => accepted));
        await using var check = app.Services.CreateAsyncScope();
        var db = check.ServiceProvider.GetRequiredService<ManyiDbContext>();
        Assert.Equal(5 * 19 * MiB, await db.Files.Where(f => f.TaskId == "task-1").SumAsync(f => f.Size, Ct));
        // The refused upload left no content behind either.
        Assert.Equal(5, Directory.GetFiles(options.Directory!, "*", SearchOption.AllDirectories).Count(f => !f.EndsWith(".part", StringComparison.Ordinal)));
    }

    /// <summary>A stream of <paramref name="length"/> bytes whose first read waits until every upload has reached its first read.</summary>
    private sealed class GatedStream(long length, Barrier allStarted) : Stream
    {
        private long _position;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position == 0) await Task.Run(() => allStarted.SignalAndWait(TimeSpan.FromSeconds(30), cancellationToken), cancellationToken);
            var count = (int)Math.Min(buffer.Length, length - _position);
            buffer.Span[..count].Fill((byte)(_position % 251));
            _position += count;
            return count;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
