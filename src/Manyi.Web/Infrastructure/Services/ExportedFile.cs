namespace Manyi.Web.Infrastructure.Services;

/// <summary>A file an application service produced for download: its bytes, media type and the name it is saved under.</summary>
public sealed record ExportedFile(byte[] Content, string ContentType, string FileName);
