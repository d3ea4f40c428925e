using System.Security.Cryptography;
using System.Text;
using MimeKit;

namespace Manyi.Email.Delivery;

/// <summary>
/// The embedded default without an SMTP server: writes each message as an .eml file (any mail program opens it)
/// into a folder. The file appears whole or not at all.
/// </summary>
public sealed class PickupDirectoryDelivery(string folder, TimeProvider time) : IMailDelivery
{
    public string Folder { get; } = Path.GetFullPath(folder);

    public string Description => $"the folder {Folder} (.eml files; no SMTP host is configured in Manyi:Smtp:Host)";

    public async Task DeliverAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Folder);
        var name = $"{time.GetUtcNow():yyyyMMdd-HHmmss}-{FileStem(message.MessageId)}.eml";
        var path = Path.Combine(Folder, name);
        var partial = path + ".partial";
        await using (var stream = File.Create(partial))
            await message.WriteToAsync(stream, cancellationToken);
        File.Move(partial, path, overwrite: true);
    }

    private static string FileStem(string? messageId)
    {
        var id = messageId ?? Guid.NewGuid().ToString("N");
        var safe = new string(id.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray());
        return safe.Length <= 80 ? safe : safe[..60] + "-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)))[..16];
    }
}
