using System.Buffers;
using System.Security.Cryptography;
using Manyi.Engine.Forms;
using Manyi.Persistence;
using Manyi.Persistence.Records;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Manyi.Web.Features.Files;

/// <summary>
/// Files uploaded to tasks: the content in a folder outside the database, under <c>&lt;yyyy&gt;/&lt;MM&gt;/&lt;id&gt;</c>
/// (never the uploader's name, so no name can reach outside the folder), and a <see cref="StoredFileRecord"/> row with
/// its safe name, sniffed type, size and SHA-256. Who may upload or download is the endpoints' business.
/// </summary>
public sealed class FileStore(ManyiDbContext db, IOptions<FileStoreOptions> options, TimeProvider time)
{
    /// <summary>The key of the problem a rejected upload reports: the multipart part that carries the file.</summary>
    public const string Field = "file";

    private readonly FileStoreOptions _options = options.Value;
    private string Root => _options.Directory!;

    /// <summary>
    /// Streams the upload to a temporary file while hashing and counting it, stopping as soon as it passes a limit, then
    /// moves it into place and commits its row. A rejected or failed upload leaves neither a file nor a row behind.
    /// </summary>
    /// <exception cref="FileRejectedException">The file is empty, too large, or would take the task over its total.</exception>
    public async Task<StoredFileRecord> SaveAsync(
        string taskId, string? organizationId, string uploadedName, Stream content, string uploadedByUserId, CancellationToken ct)
    {
        var taskBytes = await db.Files.Where(f => f.TaskId == taskId).SumAsync(f => f.Size, ct);
        if (taskBytes >= _options.MaxTaskBytes) throw TaskFull();

        var id = Guid.NewGuid().ToString("N");
        var now = time.GetUtcNow();
        var storagePath = $"{now:yyyy}/{now:MM}/{id}";
        var temporary = Path.Combine(Root, "tmp", id + ".part");
        var final = FullPath(storagePath);
        Directory.CreateDirectory(Path.GetDirectoryName(temporary)!);
        try
        {
            var (size, sha256, head) = await CopyAsync(content, temporary, taskBytes, ct);
            var fileName = SafeFileName.From(uploadedName);
            var tail = size > head.Length ? await TailAsync(temporary, ct) : [];
            var contentType = ContentSniffer.Sniff(head, fileName, tail);
            Directory.CreateDirectory(Path.GetDirectoryName(final)!);
            File.Move(temporary, final);
            var record = new StoredFileRecord
            {
                Id = id,
                TaskId = taskId,
                OrganizationId = organizationId,
                FileName = fileName,
                ContentType = contentType,
                Size = size,
                Sha256 = sha256,
                StoragePath = storagePath,
                UploadedByUserId = uploadedByUserId,
                UploadedAt = now,
            };
            await CommitAsync(record, ct);
            return record;
        }
        catch
        {
            DeleteIfExists(temporary);
            DeleteIfExists(final);
            throw;
        }
    }

    /// <summary>
    /// Adds the row only if the task's files, counted again inside the transaction, leave room for it. The count before
    /// streaming only stops a hopeless upload early: parallel uploads all pass it (six of 19 MiB were all accepted
    /// against 100 MiB), so the count that decides is taken while the task's files are locked.
    /// </summary>
    private async Task CommitAsync(StoredFileRecord record, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.LockTaskFilesAsync(record.TaskId, ct);
        var taskBytes = await db.Files.Where(f => f.TaskId == record.TaskId).SumAsync(f => f.Size, ct);
        if (taskBytes + record.Size > _options.MaxTaskBytes) throw TaskFull();
        db.Files.Add(record);
        try
        {
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
        catch
        {
            db.Entry(record).State = EntityState.Detached;
            throw;
        }
    }

    /// <summary>The file's row and its content, read-only; null when there is no such file.</summary>
    public async Task<(StoredFileRecord Record, Stream Content)?> OpenAsync(string fileId, CancellationToken ct)
    {
        var record = await db.Files.AsNoTracking().SingleOrDefaultAsync(f => f.Id == fileId, ct);
        if (record is null) return null;
        Stream content = new FileStream(FullPath(record.StoragePath), new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.Read,
            Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
        });
        return (record, content);
    }

    private async Task<(long Size, string Sha256, byte[] Head)> CopyAsync(Stream content, string path, long taskBytes, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var head = new byte[ContentSniffer.HeadLength];
        var headLength = 0;
        long size = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            await using var file = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                Options = FileOptions.Asynchronous,
            });
            int read;
            while ((read = await content.ReadAsync(buffer, ct)) > 0)
            {
                size += read;
                if (size > _options.MaxFileBytes) throw FileTooLarge();
                if (taskBytes + size > _options.MaxTaskBytes) throw TaskFull();
                var chunk = buffer.AsMemory(0, read);
                hash.AppendData(chunk.Span);
                var toHead = Math.Min(read, head.Length - headLength);
                chunk.Span[..toHead].CopyTo(head.AsSpan(headLength));
                headLength += toHead;
                await file.WriteAsync(chunk, ct);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        if (size == 0) throw new FileRejectedException(Field, "文件为空。The file is empty.");
        return (size, Convert.ToHexStringLower(hash.GetHashAndReset()), head[..headLength]);
    }

    private static void DeleteIfExists(string path)
    {
        if (File.Exists(path)) File.Delete(path);
    }

    private static async Task<byte[]> TailAsync(string path, CancellationToken ct)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, useAsync: true);
        var tail = new byte[Math.Min(file.Length, ContentSniffer.HeadLength)];
        file.Seek(-tail.Length, SeekOrigin.End);
        await file.ReadExactlyAsync(tail, ct);
        return tail;
    }

    /// <summary>Where a stored path is on disk; a path that would leave the folder (a tampered row) is refused.</summary>
    private string FullPath(string storagePath)
    {
        var root = Path.GetFullPath(Root);
        var full = Path.GetFullPath(Path.Combine(root, storagePath));
        if (!full.StartsWith(Path.TrimEndingDirectorySeparator(root) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new InvalidOperationException($"The stored path '{storagePath}' is outside the file store.");
        return full;
    }

    private FileRejectedException FileTooLarge() =>
        new(Field, $"文件超过 {FileSize.Format(_options.MaxFileBytes)} 上限。The file exceeds the {FileSize.Format(_options.MaxFileBytes)} limit.");

    private FileRejectedException TaskFull() =>
        new(Field, $"此任务的文件合计超过 {FileSize.Format(_options.MaxTaskBytes)} 上限。The task's files together exceed the {FileSize.Format(_options.MaxTaskBytes)} limit.");
}

/// <summary>An upload the store refuses, with a message for the uploader (Chinese first, then English) naming the limit.</summary>
public sealed class FileRejectedException(string field, string message) : Exception(message)
{
    /// <summary>The key of the validation problem, e.g. the form field or multipart part the file came in.</summary>
    public string Field { get; } = field;
}
