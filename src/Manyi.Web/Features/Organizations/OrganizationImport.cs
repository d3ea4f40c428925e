using Manyi.Persistence;
using Manyi.Persistence.Records;
using Microsoft.EntityFrameworkCore;

namespace Manyi.Web.Features.Organizations;

/// <summary>What happened (or would happen) to one row: <c>created</c>, <c>updated</c>, <c>unchanged</c> or <c>rejected</c> with every reason.</summary>
public sealed record ImportRowReport(int Row, string? Id, string Outcome, IReadOnlyList<string> Reasons);

/// <summary>
/// An import's report. <see cref="Written"/> is false for a dry run and whenever a row was rejected: the import is all
/// or nothing. The counts say what the accepted rows do (or would do).
/// </summary>
public sealed record ImportReport(bool DryRun, bool Written, int Rows, int Created, int Updated, int Unchanged, int Rejected, IReadOnlyList<ImportRowReport> Items);

public static class ImportOutcomes
{
    public const string Created = "created";
    public const string Updated = "updated";
    public const string Unchanged = "unchanged";
    public const string Rejected = "rejected";
}

/// <summary>
/// Checks every row of an organizations spreadsheet against the rules and the database, then (only when no row was
/// rejected) applies it: an upsert keyed by id. A row without the 级别 Level column keeps an existing organization's
/// level (new ones are City); a file without the contact columns keeps existing contacts, one with them replaces them.
/// Nothing here saves: the caller commits the changes together with its audit line.
/// </summary>
public static class OrganizationImport
{
    public static async Task<OrganizationImportPlan> PlanAsync(ManyiDbContext db, OrganizationSheet sheet, CancellationToken cancellationToken)
    {
        // Organizations are few (hundreds at most): load them all, tracked, to compare, upsert and check names.
        var existing = await db.Organizations.Include(o => o.Contacts).ToDictionaryAsync(o => o.Id, StringComparer.Ordinal, cancellationToken);
        var drafts = sheet.Rows.Select(row => ToDraft(row, sheet.Columns)).ToList();

        var firstRowOfId = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var d in drafts.Where(d => d.IdValid))
        {
            if (firstRowOfId.TryGetValue(d.Id, out var first))
                d.Reasons.Add($"编号“{d.Id}”与第 {first} 行重复；每个参评单位只占一行，多位联系人用分号隔开。" +
                              $"Id '{d.Id}' is already in row {first}; each organization takes one row, with several contacts separated by semicolons.");
            else firstRowOfId[d.Id] = d.Row.Number;
        }

        // Names must be unique once the whole file is applied: an organization renamed by the file frees its old name.
        var renamed = drafts.Where(d => d.IdValid && d.NameValid && firstRowOfId[d.Id] == d.Row.Number).ToDictionary(d => d.Id, d => d.Name, StringComparer.Ordinal);
        var firstRowOfName = new Dictionary<string, Draft>(StringComparer.Ordinal);
        foreach (var d in drafts.Where(d => d.NameValid))
        {
            if (firstRowOfName.TryGetValue(d.Name, out var first))
            {
                if (first.Id != d.Id)
                    d.Reasons.Add($"名称“{d.Name}”与第 {first.Row.Number} 行相同。Name '{d.Name}' is the same as row {first.Row.Number}'s.");
            }
            else firstRowOfName[d.Name] = d;
            foreach (var holder in existing.Values.Where(o => o.Name == d.Name && o.Id != d.Id))
                // A holder the file renames frees the name; if renamed to it, the same-as-row check above speaks.
                if (!renamed.ContainsKey(holder.Id))
                    d.Reasons.Add($"名称“{d.Name}”已被参评单位 {holder.Id} 使用。Name '{d.Name}' is already used by organization {holder.Id}.");
        }

        foreach (var d in drafts)
            d.Outcome = d.Reasons.Count > 0 ? ImportOutcomes.Rejected
                : !existing.TryGetValue(d.Id, out var current) ? ImportOutcomes.Created
                : d.SameAs(current) ? ImportOutcomes.Unchanged
                : ImportOutcomes.Updated;
        return new OrganizationImportPlan(drafts, existing);
    }

    private static Draft ToDraft(SheetRow row, IReadOnlySet<SheetColumn> columns)
    {
        var d = new Draft(row)
        {
            Id = row[SheetColumn.Id],
            Name = row[SheetColumn.Name],
            Operator = OrganizationRules.NormalizeOperator(row[SheetColumn.Operator]),
            City = row[SheetColumn.City],
        };
        Check(OrganizationRules.CheckId(d.Id), out d.IdValid);
        Check(OrganizationRules.CheckName(d.Name), out d.NameValid);
        Check(OrganizationRules.CheckOperator(d.Operator), out _);
        Check(OrganizationRules.CheckCity(d.City), out _);
        if (columns.Contains(SheetColumn.Level))
        {
            var level = row[SheetColumn.Level];
            d.Level = level.Length == 0 ? OrganizationLevel.City : OrganizationRules.ParseLevel(level);
            if (d.Level is null) d.Reasons.Add(OrganizationRules.LevelProblem(level));
        }
        if (columns.Contains(SheetColumn.Contact))
            d.Contacts = Contacts(row, d.Reasons);
        return d;

        void Check(string? problem, out bool valid)
        {
            valid = problem is null;
            if (problem is not null) d.Reasons.Add(problem);
        }
    }

    private static List<ContactDraft> Contacts(SheetRow row, List<string> reasons)
    {
        var names = OrganizationSpreadsheet.SplitCell(row[SheetColumn.Contact]);
        var emails = OrganizationSpreadsheet.SplitCell(row[SheetColumn.Email]);
        var phones = OrganizationSpreadsheet.SplitCell(row[SheetColumn.Phone]);
        if (names.Count != emails.Count)
        {
            reasons.Add($"联系人有 {names.Count} 位、邮箱有 {emails.Count} 个，须用分号一一对应。" +
                        $"There are {names.Count} contact names and {emails.Count} e-mail addresses; separate them with semicolons, one address per name.");
            return [];
        }
        if (phones.Count != 0 && phones.Count != names.Count)
        {
            reasons.Add($"联系人有 {names.Count} 位、电话有 {phones.Count} 个，须一一对应（或不填电话）。" +
                        $"There are {names.Count} contact names and {phones.Count} phones; give one phone per name (empty ones allowed) or none.");
            return [];
        }
        var contacts = new List<ContactDraft>();
        for (var i = 0; i < names.Count; i++)
        {
            var phone = phones.Count == 0 || phones[i].Length == 0 ? null : phones[i];
            reasons.AddRange(OrganizationRules.CheckContact(names[i], emails[i], phone, names.Count == 1 ? "联系人 Contact" : $"联系人 {i + 1} Contact {i + 1}"));
            contacts.Add(new ContactDraft(names[i], emails[i], phone));
        }
        return contacts;
    }

    internal sealed record ContactDraft(string Name, string Email, string? Phone);

    internal sealed class Draft(SheetRow row)
    {
        public SheetRow Row { get; } = row;
        public string Id { get; init; } = "";
        public string Name { get; init; } = "";
        public string Operator { get; init; } = "";
        public string City { get; init; } = "";
        public bool IdValid;
        public bool NameValid;

        /// <summary>Null when the file has no level column: an existing organization keeps its level.</summary>
        public OrganizationLevel? Level { get; set; }

        /// <summary>Null when the file has no contact columns: an existing organization keeps its contacts.</summary>
        public List<ContactDraft>? Contacts { get; set; }

        public List<string> Reasons { get; } = [];
        public string Outcome { get; set; } = ImportOutcomes.Rejected;

        public bool SameAs(OrganizationRecord o) =>
            o.Name == Name && o.Operator == Operator && o.City == City && (Level is null || Level == o.Level)
            && (Contacts is null || o.Contacts.OrderBy(c => c.Id).Select(c => new ContactDraft(c.Name, c.Email, string.IsNullOrEmpty(c.Phone) ? null : c.Phone)).SequenceEqual(Contacts));
    }
}

/// <summary>The checked rows of an import, ready to be applied when none was rejected.</summary>
public sealed class OrganizationImportPlan
{
    private readonly List<OrganizationImport.Draft> _drafts;
    private readonly Dictionary<string, OrganizationRecord> _existing;

    internal OrganizationImportPlan(List<OrganizationImport.Draft> drafts, Dictionary<string, OrganizationRecord> existing)
    {
        _drafts = drafts;
        _existing = existing;
    }

    public bool HasRejections => _drafts.Any(d => d.Outcome == ImportOutcomes.Rejected);

    public int Count(string outcome) => _drafts.Count(d => d.Outcome == outcome);

    public ImportReport Report(bool dryRun, bool written) =>
        new(dryRun, written, _drafts.Count, Count(ImportOutcomes.Created), Count(ImportOutcomes.Updated), Count(ImportOutcomes.Unchanged),
            Count(ImportOutcomes.Rejected),
            _drafts.Select(d => new ImportRowReport(d.Row.Number, d.Id.Length == 0 ? null : d.Id, d.Outcome, d.Reasons)).ToList());

    /// <summary>Adds the created organizations and changes the updated ones in <paramref name="db"/>; the caller saves.</summary>
    public void Apply(ManyiDbContext db, DateTimeOffset now)
    {
        if (HasRejections) throw new InvalidOperationException("An import with rejected rows cannot be applied; it is all or nothing.");
        foreach (var d in _drafts)
        {
            if (d.Outcome == ImportOutcomes.Created)
                db.Organizations.Add(new OrganizationRecord
                {
                    Id = d.Id, Name = d.Name, Operator = d.Operator, City = d.City, Level = d.Level ?? OrganizationLevel.City,
                    Contacts = Records(d), CreatedAt = now, UpdatedAt = now,
                });
            else if (d.Outcome == ImportOutcomes.Updated)
            {
                var o = _existing[d.Id];
                o.Name = d.Name;
                o.Operator = d.Operator;
                o.City = d.City;
                if (d.Level is { } level) o.Level = level;
                if (d.Contacts is not null)
                {
                    o.Contacts.Clear();
                    o.Contacts.AddRange(Records(d));
                }
                o.UpdatedAt = now;
            }
        }
    }

    private static List<OrganizationContactRecord> Records(OrganizationImport.Draft d) =>
        d.Contacts?.Select(c => new OrganizationContactRecord { OrganizationId = d.Id, Name = c.Name, Email = c.Email, Phone = c.Phone }).ToList() ?? [];
}
