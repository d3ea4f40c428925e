using Manyi.Engine.Forms;
using Manyi.Web.Features.Files;

namespace Manyi.Web.Features.Tasks;

/// <summary>
/// An upload meant for one file field of a task's form, read by the file store: it stops the upload as soon as it
/// passes the field's size, and at its end sniffs the content as the store does and refuses a type the field does not
/// allow. Either refusal is a <see cref="FileRejectedException"/>, so the store keeps neither a file nor a row: a
/// participant learns at once, on the field, what the form would refuse on completion.
/// </summary>
internal sealed class FieldFileStream(Stream inner, FormField field, string uploadedName, string key) : ObservedReadStream(inner)
{
    private readonly byte[] _head = new byte[ContentSniffer.HeadLength];
    private readonly byte[] _tail = new byte[ContentSniffer.HeadLength];
    private int _headLength;
    private bool _checked;

    protected override void Seen(ReadOnlySpan<byte> chunk)
    {
        if (chunk.IsEmpty)
        {
            if (!_checked && BytesRead > 0) CheckType();
            _checked = true;
            return;
        }
        if (BytesRead > field.MaxBytes)
            throw new FileRejectedException(key,
                $"文件 {SafeFileName.From(uploadedName)} 超过此项 {FileSize.Format(field.MaxBytes)} 上限。File {SafeFileName.From(uploadedName)} exceeds this field's {FileSize.Format(field.MaxBytes)} limit.");
        var toHead = Math.Min(chunk.Length, _head.Length - _headLength);
        chunk[..toHead].CopyTo(_head.AsSpan(_headLength));
        _headLength += toHead;
        // The last HeadLength bytes seen, kept in order: shift what stays, append the chunk's end.
        var fromChunk = Math.Min(chunk.Length, _tail.Length);
        _tail.AsSpan(fromChunk).CopyTo(_tail);
        chunk[^fromChunk..].CopyTo(_tail.AsSpan(_tail.Length - fromChunk));
    }

    private void CheckType()
    {
        if (field.AllowedTypes.Count == 0) return;
        var tailLength = (int)Math.Min(BytesRead, _tail.Length);
        var tail = BytesRead > _headLength ? _tail.AsSpan(_tail.Length - tailLength) : [];
        var type = ContentSniffer.Sniff(_head.AsSpan(0, _headLength), SafeFileName.From(uploadedName), tail);
        if (!field.AllowedTypes.Contains(type, StringComparer.OrdinalIgnoreCase))
        {
            var (zh, en) = FileTypes.List(field.AllowedTypes);
            throw new FileRejectedException(key, $"文件内容为 {FileTypes.Name(type)}，此项只接受 {zh}。The file's content is {FileTypes.Name(type)}; this field accepts only {en}.");
        }
    }
}
