using System.Globalization;
using System.Text;
using Manyi.Persistence;
using Manyi.Persistence.Records;
using Manyi.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Manyi.Web.Features.Audit;

/// <summary>The audit trail for administrators: query it, or export the same selection as CSV.</summary>
public static class AuditApi
{
    public static RouteGroupBuilder MapAuditApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/audit").WithTags("Audit");
        group.MapGet("/", List);
        group.MapGet("/export", Export);
        return group;
    }

    public static async Task<Ok<Page<AuditEntry>>> List(ManyiDbContext db, CancellationToken cancellationToken,
        string? user = null, string? action = null, string? subjectType = null, string? subjectId = null,
        DateTimeOffset? from = null, DateTimeOffset? to = null, int page = 1, int pageSize = 100)
    {
        var query = Filter(db, user, action, subjectType, subjectId, from, to);
        (page, pageSize) = Page.Clamp(page, pageSize);
        var total = await query.CountAsync(cancellationToken);
        var rows = await query.OrderByDescending(a => a.Id).Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(cancellationToken);
        return TypedResults.Ok(new Page<AuditEntry>([.. rows.Select(AuditEntry.From)], total, page, pageSize));
    }

    /// <summary>CSV (UTF-8 with a byte-order mark, so that Excel reads the Chinese), oldest first.</summary>
    public static async Task<FileContentHttpResult> Export(ManyiDbContext db, CancellationToken cancellationToken,
        string? user = null, string? action = null, string? subjectType = null, string? subjectId = null,
        DateTimeOffset? from = null, DateTimeOffset? to = null)
    {
        var csv = new StringBuilder("时间 At,用户 User,操作 Action,对象 Subject,编号 Id,地址 Address,详情 Details\r\n");
        await foreach (var a in Filter(db, user, action, subjectType, subjectId, from, to).OrderBy(a => a.Id).AsAsyncEnumerable().WithCancellation(cancellationToken))
            csv.Append(string.Join(",", new[]
            {
                a.At.ToString("O", CultureInfo.InvariantCulture), a.UserName, a.Action, a.SubjectType, a.SubjectId, a.Address, a.Details,
            }.Select(Cell))).Append("\r\n");
        return TypedResults.File(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(csv.ToString())).ToArray(), "text/csv; charset=utf-8", "audit.csv");
    }

    private static IQueryable<AuditEntryRecord> Filter(ManyiDbContext db, string? user, string? action, string? subjectType, string? subjectId,
        DateTimeOffset? from, DateTimeOffset? to)
    {
        var query = db.AuditEntries.AsNoTracking();
        if (!string.IsNullOrEmpty(user)) query = query.Where(a => a.UserId == user || a.UserName == user);
        if (!string.IsNullOrEmpty(action)) query = query.Where(a => a.Action == action);
        if (!string.IsNullOrEmpty(subjectType)) query = query.Where(a => a.SubjectType == subjectType);
        if (!string.IsNullOrEmpty(subjectId)) query = query.Where(a => a.SubjectId == subjectId);
        // PostgreSQL compares instants in UTC only.
        if (from?.ToUniversalTime() is { } start) query = query.Where(a => a.At >= start);
        if (to?.ToUniversalTime() is { } end) query = query.Where(a => a.At < end);
        return query;
    }

    /// <summary>A CSV cell, quoted when needed; a formula-like cell is defused (see CsvCells) so that a spreadsheet never runs it as a formula.</summary>
    private static string Cell(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        value = Infrastructure.CsvCells.Defuse(value);
        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }
}

public sealed record AuditEntry(long Id, DateTimeOffset At, string? UserId, string? UserName, string Action, string? SubjectType, string? SubjectId,
    string? Address, string? Details)
{
    public static AuditEntry From(AuditEntryRecord a) => new(a.Id, a.At, a.UserId, a.UserName, a.Action, a.SubjectType, a.SubjectId, a.Address, a.Details);
}
