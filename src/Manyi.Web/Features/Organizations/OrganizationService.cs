using Microsoft.AspNetCore.Mvc;
using Manyi.Persistence;
using Manyi.Persistence.Audit;
using Manyi.Persistence.Records;
using Manyi.Web.Infrastructure;
using Manyi.Web.Infrastructure.Services;
using Microsoft.EntityFrameworkCore;

namespace Manyi.Web.Features.Organizations;

/// <summary>
/// The organization rules the endpoints (<see cref="OrganizationsApi"/>) and the organizations page share: list,
/// inspect, create, replace, delete, and the spreadsheet import and export (layout in <see cref="OrganizationSpreadsheet"/>).
/// Lists are sorted by operator (移动, 联通, 电信, 广电, then others), then city (Henan's administrative order), then
/// id, the same on every database.
/// </summary>
public sealed class OrganizationService(ManyiDbContext db, AuditTrail audit, TimeProvider time)
{
    public async Task<Outcome<Page<OrganizationSummary>>> ListAsync(OrganizationQuery filter, CancellationToken cancellationToken)
    {
        if (Filter(db.Organizations.AsNoTracking(), filter) is not { } query) return LevelProblem(filter.Level!);
        var (page, pageSize) = Page.Clamp(filter.Page, filter.PageSize);
        // Sorted in memory, in an order no collation gives; organizations number in the hundreds at most.
        var all = await query
            .Select(o => new OrganizationSummary(o.Id, o.Name, o.Operator, o.City, o.Level, o.LastRating, o.Contacts.Count,
                db.OrganizationMembers.Count(m => m.OrganizationId == o.Id)))
            .ToListAsync(cancellationToken);
        var items = all.InListOrder(o => o.Operator, o => o.City, o => o.Id).Skip((page - 1) * pageSize).Take(pageSize).ToList();
        return new Page<OrganizationSummary>(items, all.Count, page, pageSize);
    }

    /// <summary>Every organization, in list order: the choices of a page's organization filter.</summary>
    public async Task<IReadOnlyList<OrganizationSummary>> AllAsync(CancellationToken cancellationToken) =>
        (await ListAsync(new OrganizationQuery(Page: 1, PageSize: Page.MaxPageSize), cancellationToken)).Value?.Items ?? [];

    public async Task<Outcome<OrganizationResponse>> GetAsync(string id, CancellationToken cancellationToken)
    {
        var organization = await db.Organizations.AsNoTracking().Include(o => o.Contacts).FirstOrDefaultAsync(o => o.Id == id, cancellationToken);
        return organization is null ? NotFound(id) : await ResponseAsync(organization, cancellationToken);
    }

    public async Task<Outcome<OrganizationResponse>> CreateAsync(CreateOrganizationRequest request, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var id = request.Id?.Trim() ?? "";
        if (OrganizationRules.CheckId(id) is { } idProblem) errors["id"] = [idProblem];
        var fields = Validate(request.Name, request.Operator, request.City, request.Level, request.LastRating, request.Contacts, errors);
        if (errors.Count > 0) return new Failure.Invalid(errors);
        if (await db.Organizations.AnyAsync(o => o.Id == id, cancellationToken))
            return new Failure.Conflict($"编号“{id}”已存在。Organization '{id}' already exists; change it with PUT /api/organizations/{id}.");
        if (await NameHolderAsync(fields.Name, id, cancellationToken) is { } holder) return NameConflict(fields.Name, holder);

        var now = time.GetUtcNow();
        var organization = new OrganizationRecord
        {
            Id = id, Name = fields.Name, Operator = fields.Operator, City = fields.City, Level = fields.Level, LastRating = fields.LastRating,
            Contacts = fields.Contacts(id), CreatedAt = now, UpdatedAt = now,
        };
        db.Organizations.Add(organization);
        audit.Record(AuditActions.OrganizationCreated, AuditSubjects.Organization, id, new { fields.Name, fields.Operator, fields.City, fields.Level });
        await db.SaveChangesAsync(cancellationToken);
        return await ResponseAsync(organization, cancellationToken);
    }

    /// <summary>Replaces the organization's fields and contacts (a missing <c>contacts</c> means none, a missing <c>lastRating</c> clears it).</summary>
    public async Task<Outcome<OrganizationResponse>> UpdateAsync(string id, UpdateOrganizationRequest request, CancellationToken cancellationToken)
    {
        var organization = await db.Organizations.Include(o => o.Contacts).FirstOrDefaultAsync(o => o.Id == id, cancellationToken);
        if (organization is null) return NotFound(id);
        var errors = new Dictionary<string, string[]>();
        var fields = Validate(request.Name, request.Operator, request.City, request.Level, request.LastRating, request.Contacts, errors);
        if (errors.Count > 0) return new Failure.Invalid(errors);
        if (await NameHolderAsync(fields.Name, id, cancellationToken) is { } holder) return NameConflict(fields.Name, holder);

        var before = new { organization.Name, organization.Operator, organization.City, organization.Level, organization.LastRating };
        organization.Name = fields.Name;
        organization.Operator = fields.Operator;
        organization.City = fields.City;
        organization.Level = fields.Level;
        organization.LastRating = fields.LastRating;
        var contacts = fields.Contacts(id);
        if (!organization.Contacts.OrderBy(c => c.Id).Select(c => (c.Name, c.Email, c.Phone)).SequenceEqual(contacts.Select(c => (c.Name, c.Email, c.Phone))))
        {
            organization.Contacts.Clear();
            organization.Contacts.AddRange(contacts);
        }
        if (db.ChangeTracker.HasChanges())
        {
            organization.UpdatedAt = time.GetUtcNow();
            audit.Record(AuditActions.OrganizationUpdated, AuditSubjects.Organization, id,
                new { before, after = new { fields.Name, fields.Operator, fields.City, fields.Level, fields.LastRating } });
            await db.SaveChangesAsync(cancellationToken);
        }
        return await ResponseAsync(organization, cancellationToken);
    }

    /// <summary>Refused while tasks, files or members refer to the organization; its contacts go with it.</summary>
    public async Task<Outcome<string>> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        var organization = await db.Organizations.FirstOrDefaultAsync(o => o.Id == id, cancellationToken);
        if (organization is null) return NotFound(id);
        var tasks = await db.Tasks.CountAsync(t => t.OrganizationId == id, cancellationToken);
        var files = await db.Files.CountAsync(f => f.OrganizationId == id, cancellationToken);
        var members = await db.OrganizationMembers.CountAsync(m => m.OrganizationId == id, cancellationToken);
        if (tasks + files + members > 0)
            return new Failure.Conflict($"参评单位 {id} 仍有 {tasks} 项待办、{files} 个文件、{members} 位成员，不能删除；请先移除成员。" +
                                        $"Organization {id} still has {tasks} task(s), {files} file(s) and {members} member(s), so it cannot be deleted" +
                                        (members > 0 ? "; remove its members first (PUT /api/users/{userId}/organizations)." : "; its history stays."));
        db.Organizations.Remove(organization);
        audit.Record(AuditActions.OrganizationDeleted, AuditSubjects.Organization, id, new { organization.Name });
        await db.SaveChangesAsync(cancellationToken);
        return id;
    }

    /// <summary>
    /// Imports a spreadsheet's content (.xlsx or .csv by content): all or nothing. The report when every row was accepted
    /// (and written, unless <paramref name="dryRun"/>); <see cref="ImportRefused"/> with the report when a row was
    /// rejected, or without one when the file itself cannot be read.
    /// </summary>
    public async Task<Outcome<ImportReport>> ImportAsync(byte[] content, string fileName, bool dryRun, CancellationToken cancellationToken)
    {
        var reading = OrganizationSpreadsheet.Read(content);
        if (reading.Sheet is null) return new ImportRefused(reading.Problem!, null);
        var plan = await OrganizationImport.PlanAsync(db, reading.Sheet, cancellationToken);
        if (plan.HasRejections) return ImportRefused.Rejected(plan.Report(dryRun, written: false));
        if (dryRun) return plan.Report(dryRun: true, written: false);

        plan.Apply(db, time.GetUtcNow());
        var report = plan.Report(dryRun: false, written: true);
        audit.Record(AuditActions.OrganizationsImported, AuditSubjects.Organization, null, new
        {
            file = fileName.Length > 255 ? fileName[..255] : fileName,
            report.Rows, report.Created, report.Updated, report.Unchanged,
        });
        // One SaveChanges: the organizations and the audit line commit in one transaction, or nothing does.
        await db.SaveChangesAsync(cancellationToken);
        return report;
    }

    /// <summary>The organizations (filtered like the list) as <c>xlsx</c> (the default) or <c>csv</c>, in the layout the import reads.</summary>
    public async Task<Outcome<ExportedFile>> ExportAsync(string? format, OrganizationQuery filter, CancellationToken cancellationToken)
    {
        SpreadsheetFormat? chosen = format?.Trim().ToLowerInvariant() switch
        {
            null or "" or "xlsx" => SpreadsheetFormat.Xlsx,
            "csv" => SpreadsheetFormat.Csv,
            _ => null,
        };
        if (chosen is null) return new Failure.Invalid("format", $"格式“{format}”不支持，可用 xlsx 或 csv。Format '{format}' is not supported; use xlsx or csv.");
        if (Filter(db.Organizations.AsNoTracking(), filter) is not { } query) return LevelProblem(filter.Level!);
        var organizations = (await query.Include(o => o.Contacts).ToListAsync(cancellationToken)).InListOrder(o => o.Operator, o => o.City, o => o.Id);
        var content = OrganizationSpreadsheet.Write(organizations, chosen.Value);
        var name = $"organizations-{time.GetUtcNow():yyyyMMdd}";
        return chosen == SpreadsheetFormat.Csv
            ? new ExportedFile(content, "text/csv; charset=utf-8", name + ".csv")
            : new ExportedFile(content, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", name + ".xlsx");
    }

    /// <summary>The filtered query, or null for a level that does not exist.</summary>
    private static IQueryable<OrganizationRecord>? Filter(IQueryable<OrganizationRecord> query, OrganizationQuery filter)
    {
        if (!string.IsNullOrWhiteSpace(filter.Operator))
        {
            var normalized = OrganizationRules.NormalizeOperator(filter.Operator);
            query = query.Where(o => o.Operator == normalized);
        }
        if (!string.IsNullOrWhiteSpace(filter.City))
        {
            var trimmed = filter.City.Trim();
            query = query.Where(o => o.City == trimmed);
        }
        if (!string.IsNullOrWhiteSpace(filter.Level))
        {
            if (OrganizationRules.ParseLevel(filter.Level) is not { } parsed) return null;
            query = query.Where(o => o.Level == parsed);
        }
        if (!string.IsNullOrWhiteSpace(filter.Search))
        {
            var text = filter.Search.Trim();
            var lower = text.ToLowerInvariant();
            query = query.Where(o => o.Name.Contains(text) || o.Id.Contains(lower));
        }
        return query;
    }

    private sealed record Fields(string Name, string Operator, string City, OrganizationLevel Level, string? LastRating, IReadOnlyList<ContactRequest> ContactRequests)
    {
        public List<OrganizationContactRecord> Contacts(string organizationId) =>
            ContactRequests.Select(c => new OrganizationContactRecord
            {
                OrganizationId = organizationId, Name = c.Name!.Trim(), Email = c.Email!.Trim(), Phone = string.IsNullOrWhiteSpace(c.Phone) ? null : c.Phone.Trim(),
            }).ToList();
    }

    /// <summary>Checks the fields every write has; problems go into <paramref name="errors"/> keyed by field (<c>contacts[1].email</c>).</summary>
    private static Fields Validate(string? name, string? @operator, string? city, string? level, string? lastRating,
        IReadOnlyList<ContactRequest>? contacts, Dictionary<string, string[]> errors)
    {
        name = name?.Trim() ?? "";
        var normalizedOperator = OrganizationRules.NormalizeOperator(@operator ?? "");
        city = city?.Trim() ?? "";
        lastRating = string.IsNullOrWhiteSpace(lastRating) ? null : lastRating.Trim().ToUpperInvariant();
        if (OrganizationRules.CheckName(name) is { } n) errors["name"] = [n];
        if (OrganizationRules.CheckOperator(normalizedOperator) is { } o) errors["operator"] = [o];
        if (OrganizationRules.CheckCity(city) is { } c) errors["city"] = [c];
        if (OrganizationRules.CheckLastRating(lastRating) is { } r) errors["lastRating"] = [r];
        var parsedLevel = string.IsNullOrWhiteSpace(level) ? OrganizationLevel.City : OrganizationRules.ParseLevel(level);
        if (parsedLevel is null) errors["level"] = [OrganizationRules.LevelProblem(level!)];
        contacts ??= [];
        for (var i = 0; i < contacts.Count; i++)
        {
            var contact = contacts[i];
            var problems = OrganizationRules.CheckContact(contact.Name?.Trim(), contact.Email?.Trim(),
                string.IsNullOrWhiteSpace(contact.Phone) ? null : contact.Phone.Trim(), $"联系人 {i + 1} Contact {i + 1}").ToArray();
            if (problems.Length > 0) errors[$"contacts[{i}]"] = problems;
        }
        return new Fields(name, normalizedOperator, city, parsedLevel ?? OrganizationLevel.City, lastRating, contacts);
    }

    private async Task<string?> NameHolderAsync(string name, string id, CancellationToken cancellationToken) =>
        await db.Organizations.Where(o => o.Name == name && o.Id != id).Select(o => o.Id).FirstOrDefaultAsync(cancellationToken);

    private async Task<OrganizationResponse> ResponseAsync(OrganizationRecord o, CancellationToken cancellationToken)
    {
        var members = await (from m in db.OrganizationMembers.AsNoTracking()
                             join u in db.Users.AsNoTracking() on m.UserId equals u.Id
                             where m.OrganizationId == o.Id
                             orderby u.Email
                             select new OrganizationMember(u.Id, u.Email, u.DisplayName)).ToListAsync(cancellationToken);
        return new OrganizationResponse(o.Id, o.Name, o.Operator, o.City, o.Level, o.LastRating,
            o.Contacts.OrderBy(c => c.Id).Select(c => new OrganizationContact(c.Name, c.Email, c.Phone)).ToList(), members, o.CreatedAt, o.UpdatedAt);
    }

    private static Failure.Invalid LevelProblem(string level) => new("level", OrganizationRules.LevelProblem(level));

    private static Failure.NotFound NotFound(string id) => new($"参评单位 {id} 不存在。Organization '{id}' does not exist.");

    private static Failure.Conflict NameConflict(string name, string holder) =>
        new($"名称“{name}”已被参评单位 {holder} 使用。Name '{name}' is already used by organization {holder}.");
}

/// <summary>
/// An import that wrote nothing: the file cannot be read (no <see cref="Report"/>), or rows were rejected (the report
/// says which and why). The endpoint answers 400 and 422.
/// </summary>
public sealed record ImportRefused(string Detail, ImportReport? Report) : Failure(Detail)
{
    public static ImportRefused Rejected(ImportReport report) =>
        new($"{report.Rows} 行中有 {report.Rejected} 行有错误（见 errors 与 report）；改正后重新导入整个文件。" +
            $"{report.Rejected} of {report.Rows} rows were rejected (see errors and report); correct them and import the whole file again.", report);
}

/// <summary>The organization list's filters: operator, city, level, a search in the id and name.</summary>
public sealed record OrganizationQuery(
    [FromQuery(Name = "operator")] string? Operator = null,
    [FromQuery(Name = "city")] string? City = null,
    [FromQuery(Name = "level")] string? Level = null,
    [FromQuery(Name = "search")] string? Search = null,
    [FromQuery(Name = "page")] int Page = 1,
    [FromQuery(Name = "pageSize")] int PageSize = 50);
