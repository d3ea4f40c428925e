using Manyi.Campaign.Certificates;
using Manyi.Persistence;
using Manyi.Persistence.Audit;
using Manyi.Web.Infrastructure.Security;
using Manyi.Web.Infrastructure.Services;

namespace Manyi.Web.Features.Campaigns;

/// <summary>
/// The certificates <c>Manyi.PublishRatings</c> wrote for the rated organizations: for administrators, and for the
/// members of the organization. Anyone else is told there is none, as when there is none, so that nobody learns
/// another organization's result from the answer. The rules of <see cref="CertificatesApi"/>.
/// </summary>
public sealed class CertificateService(CurrentUser user, CertificateStore store, ManyiDbContext db, AuditTrail audit)
{
    /// <summary>The certificate (a PDF) as <c>certificate-&lt;year&gt;-&lt;organizationId&gt;.pdf</c>; each download is audited.</summary>
    public async Task<Outcome<DownloadedCertificate>> OpenAsync(int year, string organizationId, CancellationToken cancellationToken)
    {
        if (!await user.CanActForAsync(organizationId, cancellationToken) || store.Open(year, organizationId) is not { } content)
            return new Failure.NotFound($"没有 {organizationId} 的 {year} 年度证书。There is no {year} certificate of '{organizationId}'.");
        audit.Record(AuditActions.CertificateDownloaded, AuditSubjects.Certificate, $"{year}/{organizationId}");
        await db.SaveChangesAsync(cancellationToken);
        return new DownloadedCertificate(content, $"certificate-{year}-{organizationId}.pdf");
    }
}

/// <summary>A certificate's PDF content and the name it is saved under.</summary>
public sealed record DownloadedCertificate(Stream Content, string FileName);
