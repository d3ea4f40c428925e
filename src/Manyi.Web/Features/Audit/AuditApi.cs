using System.Globalization;
using System.Text;
using Manyi.Persistence;
using Manyi.Persistence.Records;
using Manyi.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Manyi.Web.Features.Audit;

/// <summary>The audit trail for administrators: query it, or export the same selection as CSV.</summary>
public sealed class AuditLogService(ManyiDbContext db)
{
    /// <summary>The entries <paramref name="filter"/> selects, newest first, a page at a time.</summary>
    public async Task<Page<AuditEntry>> ListAsync(AuditFilter filter, int page, int pageSize, CancellationToken cancellationToken)
    {
        var query = Select(filter);
        (page, pageSize) = Page.Clamp(page, pageSize);
        var total = await query.CountAsync(cancellationToken);
        var rows = await query.OrderByDescending(a => a.Id).Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(cancellationToken);
        return new Page<AuditEntry>([.. rows.Select(AuditEntry.From)], total, page, pageSize);
    }

    /// <summary>The same selection as CSV (UTF-8 with a byte-order mark, so that Excel reads the Chinese), oldest first.</summary>
    public async Task<byte[]> ExportCsvAsync(AuditFilter filter, CancellationToken cancellationToken)
    {
        var csv = new StringBuilder("时间 At,用户 User,操作 Action,对象 Subject,编号 Id,地址 Address,详情 Details\r\n");
        await foreach (var a in Select(filter).OrderBy(a => a.Id).AsAsyncEnumerable().WithCancellation(cancellationToken))
            csv.Append(string.Join(",", new[]
            {
                a.At.ToString("O", CultureInfo.InvariantCulture), a.UserName, a.Action, a.SubjectType, a.SubjectId, a.Address, a.Details,
            }.Select(Cell))).Append("\r\n");
        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(csv.ToString())];
    }

    private IQueryable<AuditEntryRecord> Select(AuditFilter filter)
    {
        var query = db.AuditEntries.AsNoTracking();
        if (!string.IsNullOrEmpty(filter.User)) query = query.Where(a => a.UserId == filter.User || a.UserName == filter.User);
        if (!string.IsNullOrEmpty(filter.Action)) query = query.Where(a => a.Action == filter.Action);
        if (!string.IsNullOrEmpty(filter.SubjectType)) query = query.Where(a => a.SubjectType == filter.SubjectType);
        if (!string.IsNullOrEmpty(filter.SubjectId)) query = query.Where(a => a.SubjectId == filter.SubjectId);
        // PostgreSQL compares instants in UTC only.
        if (filter.From?.ToUniversalTime() is { } start) query = query.Where(a => a.At >= start);
        if (filter.To?.ToUniversalTime() is { } end) query = query.Where(a => a.At < end);
        return query;
    }

    /// <summary>A CSV cell, quoted when needed; a formula-like cell is defused (see CsvCells) so that a spreadsheet never runs it as a formula.</summary>
    private static string Cell(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        value = CsvCells.Defuse(value);
        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }
}

/// <summary>
/// Which audit entries: by <see cref="User"/> (id or name), <see cref="Action"/>, subject (<see cref="SubjectType"/>,
/// <see cref="SubjectId"/>), at or after <see cref="From"/> and before <see cref="To"/>; the query string of the list and the export.
/// </summary>
public sealed record AuditFilter(
    [FromQuery(Name = "user")] string? User = null,
    [FromQuery(Name = "action")] string? Action = null,
    [FromQuery(Name = "subjectType")] string? SubjectType = null,
    [FromQuery(Name = "subjectId")] string? SubjectId = null,
    [FromQuery(Name = "from")] DateTimeOffset? From = null,
    [FromQuery(Name = "to")] DateTimeOffset? To = null);

/// <summary>The audit trail's endpoints; the rules are <see cref="AuditLogService"/>'s.</summary>
public static class AuditApi
{
    public static RouteGroupBuilder MapAuditApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/audit").WithTags("Audit");
        group.MapGet("/", List);
        group.MapGet("/export", Export);
        return group;
    }

    public static async Task<Ok<Page<AuditEntry>>> List([AsParameters] AuditFilter filter, AuditLogService audit, CancellationToken cancellationToken,
        int page = 1, int pageSize = 100) =>
        TypedResults.Ok(await audit.ListAsync(filter, page, pageSize, cancellationToken));

    public static async Task<FileContentHttpResult> Export([AsParameters] AuditFilter filter, AuditLogService audit, CancellationToken cancellationToken) =>
        TypedResults.File(await audit.ExportCsvAsync(filter, cancellationToken), "text/csv; charset=utf-8", "audit.csv");
}

public sealed record AuditEntry(long Id, DateTimeOffset At, string? UserId, string? UserName, string Action, string? SubjectType, string? SubjectId,
    string? Address, string? Details)
{
    public static AuditEntry From(AuditEntryRecord a) => new(a.Id, a.At, a.UserId, a.UserName, a.Action, a.SubjectType, a.SubjectId, a.Address, a.Details);
}
