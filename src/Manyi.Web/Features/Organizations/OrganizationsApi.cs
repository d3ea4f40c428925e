using Manyi.Persistence;
using Manyi.Persistence.Records;
using Manyi.Persistence.Audit;
using Manyi.Web.Infrastructure;
using Manyi.Web.Infrastructure.Services;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Manyi.Web.Features.Organizations;

/// <summary>
/// Organizations (参评单位) for administrators: list, inspect, create, replace, delete, and the spreadsheet import and
/// export (layout in <see cref="OrganizationSpreadsheet"/>). Lists are sorted by operator (移动, 联通, 电信, 广电, then
/// others), then city (Henan's administrative order), then id, the same on every database.
/// </summary>
public static class OrganizationsApi
{
    public static RouteGroupBuilder MapOrganizationsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/organizations").WithTags("Organizations");
        group.MapGet("/", List);
        group.MapGet("/export", Export);
        group.MapPost("/import", Import).Accepts<IFormFile>("multipart/form-data")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/{id}", Get).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/", Create).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPut("/{id}", Update).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapDelete("/{id}", Delete).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    public static async Task<Results<Ok<Page<OrganizationSummary>>, ValidationProblem, ProblemHttpResult>> List(
        OrganizationService organizations, string? @operator, string? city, string? level, string? search,
        int page = 1, int pageSize = 50, CancellationToken cancellationToken = default) =>
        (await organizations.ListAsync(new OrganizationQuery(@operator, city, level, search, page, pageSize), cancellationToken)).ToOk();

    public static async Task<Results<Ok<OrganizationResponse>, ProblemHttpResult>> Get(string id, ManyiDbContext db, CancellationToken cancellationToken)
    {
        var organization = await db.Organizations.AsNoTracking().Include(o => o.Contacts).FirstOrDefaultAsync(o => o.Id == id, cancellationToken);
        return organization is null ? NotFound(id) : TypedResults.Ok(await ResponseAsync(db, organization, cancellationToken));
    }

    public static async Task<Results<Created<OrganizationResponse>, ValidationProblem, ProblemHttpResult>> Create(
        CreateOrganizationRequest request, ManyiDbContext db, AuditTrail audit, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var id = request.Id?.Trim() ?? "";
        if (OrganizationRules.CheckId(id) is { } idProblem) errors["id"] = [idProblem];
        var fields = Validate(request.Name, request.Operator, request.City, request.Level, request.LastRating, request.Contacts, errors);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        if (await db.Organizations.AnyAsync(o => o.Id == id, cancellationToken))
            return Conflict($"编号“{id}”已存在。Organization '{id}' already exists; change it with PUT /api/organizations/{id}.");
        if (await NameHolderAsync(db, fields.Name, id, cancellationToken) is { } holder) return NameConflict(fields.Name, holder);

        var now = time.GetUtcNow();
        var organization = new OrganizationRecord
        {
            Id = id, Name = fields.Name, Operator = fields.Operator, City = fields.City, Level = fields.Level, LastRating = fields.LastRating,
            Contacts = fields.Contacts(id), CreatedAt = now, UpdatedAt = now,
        };
        db.Organizations.Add(organization);
        audit.Record(AuditActions.OrganizationCreated, AuditSubjects.Organization, id, new { fields.Name, fields.Operator, fields.City, fields.Level });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/organizations/{id}", await ResponseAsync(db, organization, cancellationToken));
    }

    /// <summary>Replaces the organization's fields and contacts (a missing <c>contacts</c> means none, a missing <c>lastRating</c> clears it).</summary>
    public static async Task<Results<Ok<OrganizationResponse>, ValidationProblem, ProblemHttpResult>> Update(
        string id, UpdateOrganizationRequest request, ManyiDbContext db, AuditTrail audit, TimeProvider time, CancellationToken cancellationToken)
    {
        var organization = await db.Organizations.Include(o => o.Contacts).FirstOrDefaultAsync(o => o.Id == id, cancellationToken);
        if (organization is null) return NotFound(id);
        var errors = new Dictionary<string, string[]>();
        var fields = Validate(request.Name, request.Operator, request.City, request.Level, request.LastRating, request.Contacts, errors);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        if (await NameHolderAsync(db, fields.Name, id, cancellationToken) is { } holder) return NameConflict(fields.Name, holder);

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
        return TypedResults.Ok(await ResponseAsync(db, organization, cancellationToken));
    }

    /// <summary>Refused (409) while tasks, files or members refer to the organization; its contacts go with it.</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(string id, ManyiDbContext db, AuditTrail audit, CancellationToken cancellationToken)
    {
        var organization = await db.Organizations.FirstOrDefaultAsync(o => o.Id == id, cancellationToken);
        if (organization is null) return NotFound(id);
        var tasks = await db.Tasks.CountAsync(t => t.OrganizationId == id, cancellationToken);
        var files = await db.Files.CountAsync(f => f.OrganizationId == id, cancellationToken);
        var members = await db.OrganizationMembers.CountAsync(m => m.OrganizationId == id, cancellationToken);
        if (tasks + files + members > 0)
            return Conflict($"参评单位 {id} 仍有 {tasks} 项待办、{files} 个文件、{members} 位成员，不能删除；请先移除成员。" +
                            $"Organization {id} still has {tasks} task(s), {files} file(s) and {members} member(s), so it cannot be deleted" +
                            (members > 0 ? "; remove its members first (PUT /api/users/{userId}/organizations)." : "; its history stays."));
        db.Organizations.Remove(organization);
        audit.Record(AuditActions.OrganizationDeleted, AuditSubjects.Organization, id, new { organization.Name });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Imports a spreadsheet (multipart/form-data, field <c>file</c>, .xlsx or .csv by content, at most 5 MB): all or nothing.
    /// 200 with the report when every row was accepted (and written, unless <c>?dryRun=true</c>); 422 with the report
    /// and every rejected row's reasons otherwise; 400 when the file itself cannot be read.
    /// </summary>
    public static async Task<Results<Ok<ImportReport>, ProblemHttpResult>> Import(
        HttpRequest request, ManyiDbContext db, AuditTrail audit, TimeProvider time, bool dryRun = false, CancellationToken cancellationToken = default)
    {
        const string field = "file";
        // Routing has answered anything but multipart/form-data with 415 (the mapping's Accepts).
        if (request.ContentLength > OrganizationSpreadsheet.MaxFileSize + 64 * 1024) return BadFile(TooLarge(request.ContentLength.Value));
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(cancellationToken);
        }
        catch (InvalidDataException e)
        {
            return BadFile($"无法读取上传的表单：{e.Message} The upload cannot be read: {e.Message}");
        }
        if (form.Files.GetFile(field) is not { } file)
            return BadFile($"没有找到 {field} 字段中的文件。The form has no file in a field named '{field}'.");
        if (file.Length > OrganizationSpreadsheet.MaxFileSize) return BadFile(TooLarge(file.Length));
        using var buffer = new MemoryStream();
        await file.CopyToAsync(buffer, cancellationToken);
        return await ImportContent(buffer.ToArray(), file.FileName, db, audit, time, dryRun, cancellationToken);
    }

    /// <summary>The import of a file's content (what <see cref="Import"/> does after reading the upload; the organizations page calls it).</summary>
    public static async Task<Results<Ok<ImportReport>, ProblemHttpResult>> ImportContent(
        byte[] content, string fileName, ManyiDbContext db, AuditTrail audit, TimeProvider time, bool dryRun = false, CancellationToken cancellationToken = default)
    {
        var reading = OrganizationSpreadsheet.Read(content);
        if (reading.Sheet is null) return BadFile(reading.Problem!);
        var plan = await OrganizationImport.PlanAsync(db, reading.Sheet, cancellationToken);
        if (plan.HasRejections) return Rejected(plan.Report(dryRun, written: false));
        if (dryRun) return TypedResults.Ok(plan.Report(dryRun: true, written: false));

        plan.Apply(db, time.GetUtcNow());
        var report = plan.Report(dryRun: false, written: true);
        audit.Record(AuditActions.OrganizationsImported, AuditSubjects.Organization, null, new
        {
            file = fileName.Length > 255 ? fileName[..255] : fileName,
            report.Rows, report.Created, report.Updated, report.Unchanged,
        });
        // One SaveChanges: the organizations and the audit line commit in one transaction, or nothing does.
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(report);
    }

    /// <summary>The organizations (filtered like the list) as <c>?format=xlsx</c> (the default) or <c>csv</c>, in the layout the import reads.</summary>
    public static async Task<Results<FileContentHttpResult, ValidationProblem>> Export(
        ManyiDbContext db, TimeProvider time, string? format, string? @operator, string? city, string? level, string? search,
        CancellationToken cancellationToken = default)
    {
        SpreadsheetFormat? chosen = format?.Trim().ToLowerInvariant() switch
        {
            null or "" or "xlsx" => SpreadsheetFormat.Xlsx,
            "csv" => SpreadsheetFormat.Csv,
            _ => null,
        };
        if (chosen is null)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["format"] = [$"格式“{format}”不支持，可用 xlsx 或 csv。Format '{format}' is not supported; use xlsx or csv."] });
        if (Filter(db.Organizations.AsNoTracking(), @operator, city, level, search) is not { } query)
            return LevelFilterProblem(level!);
        var organizations = (await query.Include(o => o.Contacts).ToListAsync(cancellationToken)).InListOrder(o => o.Operator, o => o.City, o => o.Id);
        var content = OrganizationSpreadsheet.Write(organizations, chosen.Value);
        var name = $"organizations-{time.GetUtcNow():yyyyMMdd}";
        return chosen == SpreadsheetFormat.Csv
            ? TypedResults.File(content, "text/csv; charset=utf-8", name + ".csv")
            : TypedResults.File(content, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", name + ".xlsx");
    }

    /// <summary>The filtered query, or null for a level that does not exist.</summary>
    internal static IQueryable<OrganizationRecord>? Filter(IQueryable<OrganizationRecord> query, string? @operator, string? city, string? level, string? search)
    {
        if (!string.IsNullOrWhiteSpace(@operator))
        {
            var normalized = OrganizationRules.NormalizeOperator(@operator);
            query = query.Where(o => o.Operator == normalized);
        }
        if (!string.IsNullOrWhiteSpace(city))
        {
            var trimmed = city.Trim();
            query = query.Where(o => o.City == trimmed);
        }
        if (!string.IsNullOrWhiteSpace(level))
        {
            if (OrganizationRules.ParseLevel(level) is not { } parsed) return null;
            query = query.Where(o => o.Level == parsed);
        }
        if (!string.IsNullOrWhiteSpace(search))
        {
            var text = search.Trim();
            var lower = text.ToLowerInvariant();
            query = query.Where(o => o.Name.Contains(text) || o.Id.Contains(lower));
        }
        return query;
    }

    private static ValidationProblem LevelFilterProblem(string level) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["level"] = [OrganizationRules.LevelProblem(level)] });

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

    private static async Task<string?> NameHolderAsync(ManyiDbContext db, string name, string id, CancellationToken cancellationToken) =>
        await db.Organizations.Where(o => o.Name == name && o.Id != id).Select(o => o.Id).FirstOrDefaultAsync(cancellationToken);

    private static async Task<OrganizationResponse> ResponseAsync(ManyiDbContext db, OrganizationRecord o, CancellationToken cancellationToken)
    {
        var members = await (from m in db.OrganizationMembers.AsNoTracking()
                             join u in db.Users.AsNoTracking() on m.UserId equals u.Id
                             where m.OrganizationId == o.Id
                             orderby u.Email
                             select new OrganizationMember(u.Id, u.Email, u.DisplayName)).ToListAsync(cancellationToken);
        return new OrganizationResponse(o.Id, o.Name, o.Operator, o.City, o.Level, o.LastRating,
            o.Contacts.OrderBy(c => c.Id).Select(c => new OrganizationContact(c.Name, c.Email, c.Phone)).ToList(), members, o.CreatedAt, o.UpdatedAt);
    }

    private static ProblemHttpResult Rejected(ImportReport report)
    {
        var errors = report.Items.Where(i => i.Outcome == ImportOutcomes.Rejected).ToDictionary(i => $"row {i.Row}", i => i.Reasons.ToArray());
        var problem = new ValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status422UnprocessableEntity,
            Title = "导入被拒绝，未写入任何数据。The import was rejected; nothing was written.",
            Detail = $"{report.Rows} 行中有 {report.Rejected} 行有错误（见 errors 与 report）；改正后重新导入整个文件。" +
                     $"{report.Rejected} of {report.Rows} rows were rejected (see errors and report); correct them and import the whole file again.",
        };
        problem.Extensions["report"] = report;
        return TypedResults.Problem(problem);
    }

    private static string TooLarge(long length) =>
        $"文件超过 {OrganizationSpreadsheet.MaxFileSize / 1024 / 1024} MB。The upload has {length} bytes; the file may have at most {OrganizationSpreadsheet.MaxFileSize / 1024 / 1024} MB.";

    private static ProblemHttpResult BadFile(string detail) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status400BadRequest, title: "文件无法导入。The file cannot be imported.");

    private static ProblemHttpResult NotFound(string id) => Problems.NotFound($"参评单位 {id} 不存在。Organization '{id}' does not exist.");

    private static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict.");

    private static ProblemHttpResult NameConflict(string name, string holder) =>
        Conflict($"名称“{name}”已被参评单位 {holder} 使用。Name '{name}' is already used by organization {holder}.");
}

public sealed record OrganizationSummary(string Id, string Name, string Operator, string City, OrganizationLevel Level, string? LastRating, int Contacts, int Members);

public sealed record OrganizationResponse(string Id, string Name, string Operator, string City, OrganizationLevel Level, string? LastRating,
    IReadOnlyList<OrganizationContact> Contacts, IReadOnlyList<OrganizationMember> Members, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record OrganizationContact(string Name, string Email, string? Phone);

public sealed record OrganizationMember(string UserId, string? Email, string DisplayName);

/// <summary>A new organization. <c>level</c>: City (default), County, ServiceSite, Team or 市, 县, 营业厅, 班组; <c>operator</c> is normalized to 移动, 联通, 电信, 广电.</summary>
public sealed record CreateOrganizationRequest(string? Id, string? Name, string? Operator, string? City, string? Level, string? LastRating, IReadOnlyList<ContactRequest>? Contacts);

/// <summary>An organization's new state, replacing the old one entirely (contacts included).</summary>
public sealed record UpdateOrganizationRequest(string? Name, string? Operator, string? City, string? Level, string? LastRating, IReadOnlyList<ContactRequest>? Contacts);

public sealed record ContactRequest(string? Name, string? Email, string? Phone);
