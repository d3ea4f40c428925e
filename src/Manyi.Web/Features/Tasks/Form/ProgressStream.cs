using Manyi.Web.Features.Files;

namespace Manyi.Web.Features.Tasks.Form;

/// <summary>A read-only stream that tells how many bytes have been read so far: the browser's file on its way to the store.</summary>
internal sealed class ProgressStream(Stream inner, Action<long> progress) : ObservedReadStream(inner)
{
    protected override void Seen(ReadOnlySpan<byte> chunk)
    {
        if (!chunk.IsEmpty) progress(BytesRead);
    }
}
