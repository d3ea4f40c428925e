using Manyi.Campaign.Certificates;
using Manyi.Persistence;
using Manyi.Persistence.Audit;
using Manyi.Web.Infrastructure;
using Manyi.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Manyi.Web.Features.Campaigns;

/// <summary>
/// The certificates <c>Manyi.PublishRatings</c> wrote for the rated organizations, as PDF files: for administrators,
/// and for the members of the organization. Anyone else is told there is none (404), as when there is none, so that
/// nobody learns another organization's result from the answer.
/// </summary>
public static class CertificatesApi
{
    /// <summary>Signed-in users (not administrators only): each endpoint checks who may see what.</summary>
    public static RouteGroupBuilder MapCertificatesApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/campaigns").WithTags("Campaigns");
        group.MapGet("/{year:int}/certificates/{organizationId}", Download)
            .Produces(StatusCodes.Status200OK, contentType: "application/pdf")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    /// <summary>The certificate as <c>certificate-&lt;year&gt;-&lt;organizationId&gt;.pdf</c>.</summary>
    public static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> Download(
        int year, string organizationId, CurrentUser user, CertificateStore store, ManyiDbContext db, AuditTrail audit, CancellationToken cancellationToken)
    {
        if (!await user.CanActForAsync(organizationId, cancellationToken) || store.Open(year, organizationId) is not { } content)
            return Problems.NotFound($"没有 {organizationId} 的 {year} 年度证书。There is no {year} certificate of '{organizationId}'.");
        audit.Record(AuditActions.CertificateDownloaded, "certificate", $"{year}/{organizationId}");
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.File(content, "application/pdf", $"certificate-{year}-{organizationId}.pdf");
    }
}
