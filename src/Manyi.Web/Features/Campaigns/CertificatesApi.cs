using Manyi.Web.Infrastructure.Services;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Manyi.Web.Features.Campaigns;

/// <summary>The certificates of the rated organizations as PDF files (<see cref="CertificateService"/>).</summary>
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

    /// <summary>The certificate as <c>certificate-&lt;year&gt;-&lt;organizationId&gt;.pdf</c>; 404 for anyone not of the organization.</summary>
    public static async Task<Results<FileStreamHttpResult, ValidationProblem, ProblemHttpResult>> Download(
        int year, string organizationId, CertificateService certificates, CancellationToken cancellationToken) =>
        (await certificates.OpenAsync(year, organizationId, cancellationToken)).To(c => TypedResults.File(c.Content, "application/pdf", c.FileName));
}
