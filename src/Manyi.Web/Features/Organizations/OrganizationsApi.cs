using Manyi.Persistence.Records;
using Manyi.Web.Infrastructure;
using Manyi.Web.Infrastructure.Services;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Manyi.Web.Features.Organizations;

/// <summary>
/// Organizations (参评单位) for administrators: list, inspect, create, replace, delete, and the spreadsheet import and
/// export. The rules are <see cref="OrganizationService"/>'s; these handlers read the request and answer its outcome.
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
        [AsParameters] OrganizationQuery query, OrganizationService organizations, CancellationToken cancellationToken) =>
        (await organizations.ListAsync(query, cancellationToken)).ToOk();

    public static async Task<Results<Ok<OrganizationResponse>, ValidationProblem, ProblemHttpResult>> Get(
        string id, OrganizationService organizations, CancellationToken cancellationToken) =>
        (await organizations.GetAsync(id, cancellationToken)).ToOk();

    public static async Task<Results<Created<OrganizationResponse>, ValidationProblem, ProblemHttpResult>> Create(
        CreateOrganizationRequest request, OrganizationService organizations, CancellationToken cancellationToken) =>
        (await organizations.CreateAsync(request, cancellationToken)).To(o => TypedResults.Created($"/api/organizations/{o.Id}", o));

    /// <summary>Replaces the organization's fields and contacts (a missing <c>contacts</c> means none, a missing <c>lastRating</c> clears it).</summary>
    public static async Task<Results<Ok<OrganizationResponse>, ValidationProblem, ProblemHttpResult>> Update(
        string id, UpdateOrganizationRequest request, OrganizationService organizations, CancellationToken cancellationToken) =>
        (await organizations.UpdateAsync(id, request, cancellationToken)).ToOk();

    /// <summary>Refused (409) while tasks, files or members refer to the organization; its contacts go with it.</summary>
    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> Delete(
        string id, OrganizationService organizations, CancellationToken cancellationToken) =>
        (await organizations.DeleteAsync(id, cancellationToken)).To(_ => TypedResults.NoContent());

    /// <summary>
    /// Imports a spreadsheet (multipart/form-data, field <c>file</c>, .xlsx or .csv by content, at most 5 MB): all or nothing.
    /// 200 with the report when every row was accepted (and written, unless <c>?dryRun=true</c>); 422 with the report
    /// and every rejected row's reasons otherwise; 400 when the file itself cannot be read.
    /// </summary>
    public static async Task<Results<Ok<ImportReport>, ProblemHttpResult>> Import(
        HttpRequest request, OrganizationService organizations, bool dryRun = false, CancellationToken cancellationToken = default)
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
        var outcome = await organizations.ImportAsync(buffer.ToArray(), file.FileName, dryRun, cancellationToken);
        return outcome.Failure switch
        {
            null => TypedResults.Ok(outcome.Value!),
            ImportRefused { Report: { } report } refused => Rejected(refused.Detail, report),
            var failure => BadFile(failure.Detail),
        };
    }

    /// <summary>The organizations (filtered like the list) as <c>?format=xlsx</c> (the default) or <c>csv</c>, in the layout the import reads.</summary>
    public static async Task<Results<FileContentHttpResult, ValidationProblem, ProblemHttpResult>> Export(
        [AsParameters] OrganizationQuery query, OrganizationService organizations, CancellationToken cancellationToken, string? format = null) =>
        (await organizations.ExportAsync(format, query, cancellationToken)).ToFile();

    private static ProblemHttpResult Rejected(string detail, ImportReport report)
    {
        var errors = report.Items.Where(i => i.Outcome == ImportOutcomes.Rejected).ToDictionary(i => $"row {i.Row}", i => i.Reasons.ToArray());
        var problem = new ValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status422UnprocessableEntity,
            Title = "导入被拒绝，未写入任何数据。The import was rejected; nothing was written.",
            Detail = detail,
        };
        problem.Extensions["report"] = report;
        return TypedResults.Problem(problem);
    }

    private static string TooLarge(long length) =>
        $"文件超过 {OrganizationSpreadsheet.MaxFileSize / 1024 / 1024} MB。The upload has {length} bytes; the file may have at most {OrganizationSpreadsheet.MaxFileSize / 1024 / 1024} MB.";

    private static ProblemHttpResult BadFile(string detail) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status400BadRequest, title: "文件无法导入。The file cannot be imported.");
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
