namespace Manyi.Web.Features.Files;

/// <summary>
/// A forward-only, read-only view of another stream that shows every chunk read to <see cref="Seen"/> (an empty chunk
/// at the end): the base of the upload streams that count progress or check a file on its way to the store.
/// </summary>
internal abstract class ObservedReadStream(Stream inner) : Stream
{
    /// <summary>Bytes read so far.</summary>
    protected long BytesRead { get; private set; }

    /// <summary>Sees each chunk after it is read (an empty one at the end of the stream); may throw to stop the read.</summary>
    protected abstract void Seen(ReadOnlySpan<byte> chunk);

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => BytesRead;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Observe(buffer.AsSpan(offset, inner.Read(buffer, offset, count)));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        return Observe(buffer.Span[..read]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int Observe(ReadOnlySpan<byte> chunk)
    {
        BytesRead += chunk.Length;
        Seen(chunk);
        return chunk.Length;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync();
        await base.DisposeAsync();
    }
}
