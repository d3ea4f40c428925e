using Manyi.Engine.Forms;
using Manyi.Web.Features.Files;

namespace Manyi.Web.Features.Tasks;

/// <summary>
/// An upload meant for one file field of a task's form, read by the file store: it stops the upload as soon as it
/// passes the field's size, and at its end sniffs the content as the store does and refuses a type the field does not
/// allow. Either refusal is a <see cref="FileRejectedException"/>, so the store keeps neither a file nor a row: a
/// participant learns at once, on the field, what the form would refuse on completion.
/// </summary>
internal sealed class FieldFileStream(Stream inner, FormField field, string uploadedName, string key) : Stream
{
    private readonly byte[] _head = new byte[ContentSniffer.HeadLength];
    private readonly byte[] _tail = new byte[ContentSniffer.HeadLength];
    private int _headLength;
    private long _size;
    private bool _checked;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _size;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Seen(buffer.AsSpan(offset, inner.Read(buffer, offset, count)));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        return Seen(buffer.Span[..read]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int Seen(ReadOnlySpan<byte> chunk)
    {
        if (chunk.IsEmpty)
        {
            if (!_checked && _size > 0) CheckType();
            _checked = true;
            return 0;
        }
        _size += chunk.Length;
        if (_size > field.MaxBytes)
            throw new FileRejectedException(key,
                $"文件 {SafeFileName.From(uploadedName)} 超过此项 {FileSize.Format(field.MaxBytes)} 上限。File {SafeFileName.From(uploadedName)} exceeds this field's {FileSize.Format(field.MaxBytes)} limit.");
        var toHead = Math.Min(chunk.Length, _head.Length - _headLength);
        chunk[..toHead].CopyTo(_head.AsSpan(_headLength));
        _headLength += toHead;
        // The last HeadLength bytes seen, kept in order: shift what stays, append the chunk's end.
        var fromChunk = Math.Min(chunk.Length, _tail.Length);
        _tail.AsSpan(fromChunk).CopyTo(_tail);
        chunk[^fromChunk..].CopyTo(_tail.AsSpan(_tail.Length - fromChunk));
        return chunk.Length;
    }

    private void CheckType()
    {
        if (field.AllowedTypes.Count == 0) return;
        var tailLength = (int)Math.Min(_size, _tail.Length);
        var tail = _size > _headLength ? _tail.AsSpan(_tail.Length - tailLength) : [];
        var type = ContentSniffer.Sniff(_head.AsSpan(0, _headLength), SafeFileName.From(uploadedName), tail);
        if (!field.AllowedTypes.Contains(type, StringComparer.OrdinalIgnoreCase))
        {
            var allowed = string.Join(", ", field.AllowedTypes);
            throw new FileRejectedException(key, $"文件内容为 {type}，此项只接受：{allowed}。The file's content is {type}; this field accepts only {allowed}.");
        }
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
