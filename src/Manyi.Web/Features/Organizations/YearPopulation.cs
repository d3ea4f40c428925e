using Manyi.Web.Infrastructure;

namespace Manyi.Web.Features.Organizations;

/// <summary>
/// The year's population as data: the organizations of the notice's Attachment 1 (those with an index of 81 or more),
/// shipped beside the year's settings as <c>campaigns/2025-organizations.csv</c> in the spreadsheet layout the import
/// reads. The demo seeds from it, and an empty installation offers to import it, so that nobody retypes the list.
/// </summary>
public static class YearPopulation
{
    public const int Year = 2025;
    public const string FileName = "2025-organizations.csv";

    public static string PathOf(IConfiguration configuration, IHostEnvironment environment) =>
        Path.Combine(RepositoryFolders.Resolve(configuration["Manyi:CampaignsDirectory"], "campaigns", environment.ContentRootPath), FileName);

    /// <summary>The file's content, or null when the installation does not have it.</summary>
    public static byte[]? Content(IConfiguration configuration, IHostEnvironment environment) =>
        PathOf(configuration, environment) is var path && File.Exists(path) ? File.ReadAllBytes(path) : null;

    /// <summary>The file read as the import reads it; a file the import cannot read is a broken installation.</summary>
    public static OrganizationSheet Read(byte[] content) =>
        OrganizationSpreadsheet.Read(content) is { Sheet: { } sheet } ? sheet
        : throw new InvalidOperationException($"campaigns/{FileName} cannot be read as an organizations spreadsheet: {OrganizationSpreadsheet.Read(content).Problem}");
}
