using System.Data;
using System.Globalization;
using System.Text;
using Manyi.Persistence.Records;
using MiniExcelLibs;
using MiniExcelLibs.Csv;

namespace Manyi.Web.Features.Organizations;

/// <summary>The columns of the organizations spreadsheet.</summary>
public enum SheetColumn
{
    Id,
    Name,
    Operator,
    City,
    Level,
    Contact,
    Email,
    Phone,
}

public enum SpreadsheetFormat
{
    Csv,
    Xlsx,
}

/// <summary>One data row: its number as the spreadsheet shows it (the header is usually row 1) and its cells, trimmed.</summary>
public sealed record SheetRow(int Number, IReadOnlyDictionary<SheetColumn, string> Cells)
{
    public string this[SheetColumn column] => Cells.TryGetValue(column, out var value) ? value : "";
}

/// <summary>A read spreadsheet: which columns it has, and its non-empty data rows.</summary>
public sealed record OrganizationSheet(IReadOnlySet<SheetColumn> Columns, IReadOnlyList<SheetRow> Rows);

/// <summary>A spreadsheet that was read, or what is wrong with the file (Chinese first, then English).</summary>
public sealed record SheetReading(OrganizationSheet? Sheet, string? Problem);

/// <summary>
/// The organizations spreadsheet, .xlsx or .csv, read and written with MiniExcel.
/// <para>
/// <b>Layout.</b> The first non-empty row is the header; each header cell is a column's Chinese name, its English name, or
/// both (<c>编号 Id</c>, <c>编号</c> or <c>Id</c>): 编号 Id, 名称 Name, 运营商 Operator, 城市 City (required), 级别 Level,
/// 联系人 Contact, 邮箱 Email, 电话 Phone (optional; 联系人 and 邮箱 come together). Columns may be in any order; a column
/// the importer does not know is refused rather than ignored. Empty rows are skipped but counted, so row numbers are the
/// spreadsheet's.
/// </para>
/// <para>
/// <b>One row per organization.</b> Several contacts are written in the same row, separated by semicolons, the n-th
/// name going with the n-th e-mail and the n-th phone: <c>联系人 = 甲; 乙</c>, <c>邮箱 = a@example.org; b@example.org</c>,
/// <c>电话 = 0371-1; </c> (phones may be left out altogether). An id therefore appears once per file; a repeated id is an
/// error. Export writes the same layout, so an exported file imports unchanged.
/// </para>
/// <para>
/// <b>Files.</b> The content decides the type: a zip (starting <c>PK</c>) is .xlsx (its first sheet is read), anything
/// else must be comma-separated text in UTF-8 (with or without BOM) or GB18030 (what Excel's "CSV" saves on Chinese
/// Windows). At most <see cref="MaxFileSize"/> bytes.
/// </para>
/// </summary>
public static class OrganizationSpreadsheet
{
    public const long MaxFileSize = 5 * 1024 * 1024;

    /// <summary>Rows read at most, empty ones included: a small .xlsx can describe a huge sheet.</summary>
    public const int MaxRows = 10_000;

    public sealed record ColumnInfo(SheetColumn Column, string Chinese, string English, bool Required, params string[] OtherEnglishNames)
    {
        public string Header => $"{Chinese} {English}";
    }

    public static readonly IReadOnlyList<ColumnInfo> Columns =
    [
        new(SheetColumn.Id, "编号", "Id", true),
        new(SheetColumn.Name, "名称", "Name", true),
        new(SheetColumn.Operator, "运营商", "Operator", true),
        new(SheetColumn.City, "城市", "City", true),
        new(SheetColumn.Level, "级别", "Level", false),
        new(SheetColumn.Contact, "联系人", "Contact", false, "Contacts"),
        new(SheetColumn.Email, "邮箱", "Email", false, "E-mail"),
        new(SheetColumn.Phone, "电话", "Phone", false),
    ];

    public static string Header(SheetColumn column) => Columns.First(c => c.Column == column).Header;

    private static string AllHeaders => string.Join(", ", Columns.Select(c => c.Header));

    /// <summary>Reads an uploaded file; a problem names what is wrong with the file as a whole (rows are checked by the import).</summary>
    public static SheetReading Read(byte[] content)
    {
        if (content.Length == 0) return Fail("文件是空的。The file is empty.");
        if (content.Length > MaxFileSize)
            return Fail($"文件超过 {MaxFileSize / 1024 / 1024} MB。The file has {content.Length} bytes; at most {MaxFileSize / 1024 / 1024} MB are allowed.");
        List<string[]> records;
        if (content.AsSpan().StartsWith("PK\u0003\u0004"u8))
        {
            try
            {
                records = ReadXlsx(content);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                return Fail($"无法读取 .xlsx 文件：{e.Message} The .xlsx file cannot be read: {e.Message}");
            }
        }
        else if (content.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xD0, 0xCF, 0x11, 0xE0]))
            return Fail("这是旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV 后再导入。This is an old Excel (.xls) file; save it as .xlsx or CSV and import that.");
        else if (DecodeText(content) is { } text)
            records = ReadCsv(text);
        else
            return Fail("文件不是 .xlsx 或 CSV 表格（CSV 须为 UTF-8 或 GB18030 编码的文本）。The file is neither an .xlsx nor a CSV spreadsheet (CSV must be UTF-8 or GB18030 text).");
        if (records.Count > MaxRows)
            return Fail($"文件超过 {MaxRows} 行。The sheet has more than {MaxRows} rows.");
        return ToSheet(records);
    }

    /// <summary>Writes organizations (with their contacts) in the layout <see cref="Read"/> reads, in the order given.</summary>
    public static byte[] Write(IEnumerable<OrganizationRecord> organizations, SpreadsheetFormat format)
    {
        var table = new DataTable("organizations");
        foreach (var column in Columns) table.Columns.Add(column.Header, typeof(string));
        foreach (var o in organizations)
        {
            var contacts = o.Contacts.OrderBy(c => c.Id).ToList();
            string[] cells = [o.Id, o.Name, o.Operator, o.City, OrganizationRules.ChineseName(o.Level),
                Join(contacts.Select(c => c.Name)), Join(contacts.Select(c => c.Email)),
                contacts.All(c => string.IsNullOrEmpty(c.Phone)) ? "" : Join(contacts.Select(c => c.Phone ?? ""))];
            // An .xlsx cell is text, never a formula; a CSV cell is whatever Excel makes of it.
            table.Rows.Add(format == SpreadsheetFormat.Csv ? [.. cells.Select(Infrastructure.CsvCells.Defuse)] : cells);
        }
        using var stream = new MemoryStream();
        if (format == SpreadsheetFormat.Xlsx)
            MiniExcel.SaveAs(stream, table, sheetName: "参评单位 Organizations", excelType: ExcelType.XLSX);
        else
            // With a BOM, so that Excel opens the Chinese text as UTF-8.
            MiniExcel.SaveAs(stream, table, excelType: ExcelType.CSV,
                configuration: new CsvConfiguration { StreamWriterFunc = s => new StreamWriter(s, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true)) });
        return stream.ToArray();

        static string Join(IEnumerable<string> values) => string.Join(OrganizationRules.ContactSeparator + " ", values);
    }

    /// <summary>The values of a cell that holds several contacts' values, trimmed; an empty cell holds none.</summary>
    public static List<string> SplitCell(string cell) =>
        cell.Trim().Length == 0 ? [] : [.. cell.Split([OrganizationRules.ContactSeparator, '；']).Select(v => v.Trim())];

    private static SheetReading Fail(string problem) => new(null, problem);

    private static List<string[]> ReadXlsx(byte[] content)
    {
        using var stream = new MemoryStream(content, writable: false);
        // Without a header row MiniExcel keys cells by column letter and returns every row, empty ones included.
        return MiniExcel.Query(stream, useHeaderRow: false, excelType: ExcelType.XLSX)
            .Take(MaxRows + 1)
            .Cast<IDictionary<string, object?>>()
            .Select(row =>
            {
                var cells = Enumerable.Repeat("", row.Count).ToArray();
                foreach (var (letter, value) in row)
                    if (ColumnIndex(letter) is var i && i < cells.Length) cells[i] = CellText(value);
                return cells;
            })
            .ToList();
    }

    private static List<string[]> ReadCsv(string text)
    {
        // MiniExcel skips blank lines; turning each into an empty record keeps the row numbers the spreadsheet shows.
        var lines = text.Split('\n');
        var open = false;
        for (var i = 0; i < lines.Length; i++)
        {
            if (!open && string.IsNullOrWhiteSpace(lines[i])) lines[i] = ",";
            open ^= lines[i].Count(c => c == '"') % 2 == 1;
        }
        var width = -1;
        var configuration = new CsvConfiguration
        {
            NewLine = "\n",
            ReadLineBreaksWithinQuotes = true,
            StreamReaderFunc = s => new StreamReader(s, new UTF8Encoding(false)),
            // RFC 4180 fields (MiniExcel's own split also splits on tabs), padded to the first row's width because
            // MiniExcel refuses a shorter row where a spreadsheet would read empty cells.
            SplitFn = record =>
            {
                var fields = SplitRecord(record);
                if (width < 0) width = fields.Count;
                while (fields.Count < width) fields.Add("");
                return [.. fields];
            },
        };
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(string.Join('\n', lines)), writable: false);
        return MiniExcel.Query(stream, useHeaderRow: false, excelType: ExcelType.CSV, configuration: configuration)
            .Take(MaxRows + 1)
            .Cast<IDictionary<string, object?>>()
            .Select(row => row.Values.Select(v => Infrastructure.CsvCells.Restore(CellText(v))).ToArray())
            .ToList();
    }

    private static List<string> SplitRecord(string record)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < record.Length; i++)
        {
            var c = record[i];
            if (quoted)
            {
                if (c != '"') field.Append(c);
                else if (i + 1 < record.Length && record[i + 1] == '"') { field.Append('"'); i++; }
                else quoted = false;
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(field.ToString()); field.Clear(); }
            else if (c != '\r') field.Append(c);
        }
        fields.Add(field.ToString());
        return fields;
    }

    /// <summary>The text of a CSV file: UTF-8 when it is valid UTF-8, else GB18030; null for binary content.</summary>
    private static string? DecodeText(byte[] content)
    {
        var text = TryDecode(new UTF8Encoding(false, throwOnInvalidBytes: true), content);
        if (text is null)
        {
            Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
            text = TryDecode(Encoding.GetEncoding("GB18030", EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback), content);
            if (text is null) return null;
        }
        text = text.TrimStart('\uFEFF');
        return text.Any(c => char.IsControl(c) && c is not ('\r' or '\n' or '\t')) ? null : text;

        static string? TryDecode(Encoding encoding, byte[] bytes)
        {
            try { return encoding.GetString(bytes); }
            catch (DecoderFallbackException) { return null; }
        }
    }

    private static SheetReading ToSheet(List<string[]> records)
    {
        var headerIndex = records.FindIndex(r => r.Any(c => c.Length > 0));
        if (headerIndex < 0) return Fail("文件是空的：没有表头，也没有数据。The file is empty: no header row and no data.");
        var header = records[headerIndex];
        var columns = new Dictionary<int, SheetColumn>();
        var unknown = new List<string>();
        var duplicated = new List<string>();
        for (var i = 0; i < header.Length; i++)
        {
            if (header[i].Length == 0) continue;
            var column = Match(header[i]);
            if (column is null) unknown.Add($"“{header[i]}”");
            else if (columns.ContainsValue(column.Value)) duplicated.Add($"“{header[i]}”");
            else columns[i] = column.Value;
        }
        if (unknown.Count > 0)
            return Fail($"第 {headerIndex + 1} 行表头有无法识别的列：{string.Join("、", unknown)}；可用的列：{AllHeaders}。" +
                        $"The header (row {headerIndex + 1}) has unknown columns: {string.Join(", ", unknown)}; the columns are: {AllHeaders}. " +
                        "A header is the Chinese name, the English name or both.");
        if (duplicated.Count > 0)
            return Fail($"表头有重复的列：{string.Join("、", duplicated)}。The header repeats columns: {string.Join(", ", duplicated)}.");
        var missing = Columns.Where(c => c.Required && !columns.ContainsValue(c.Column)).Select(c => c.Header).ToList();
        if (missing.Count > 0)
            return Fail($"表头（第 {headerIndex + 1} 行）缺少必需的列：{string.Join("、", missing)}。The header (row {headerIndex + 1}) lacks required columns: {string.Join(", ", missing)}. " +
                        $"The columns are: {AllHeaders}.");
        var present = columns.Values.ToHashSet();
        if (present.Contains(SheetColumn.Contact) != present.Contains(SheetColumn.Email) || (present.Contains(SheetColumn.Phone) && !present.Contains(SheetColumn.Contact)))
            return Fail($"联系人、邮箱两列须同时出现（电话列须与它们一起）。The {Header(SheetColumn.Contact)} and {Header(SheetColumn.Email)} columns come together, and {Header(SheetColumn.Phone)} only with them.");

        var rows = new List<SheetRow>();
        for (var r = headerIndex + 1; r < records.Count; r++)
        {
            var record = records[r];
            for (var i = 0; i < record.Length; i++)
                if (record[i].Length > 0 && !columns.ContainsKey(i))
                    return Fail($"第 {r + 1} 行第 {ColumnLetter(i)} 列有内容，但该列没有表头。Row {r + 1} has a value in column {ColumnLetter(i)}, which has no header.");
            var cells = columns.Where(c => c.Key < record.Length).ToDictionary(c => c.Value, c => record[c.Key]);
            if (cells.Values.All(v => v.Length == 0)) continue;
            rows.Add(new SheetRow(r + 1, cells));
        }
        if (rows.Count == 0) return Fail("文件只有表头，没有参评单位。The file has a header but no organizations.");
        return new SheetReading(new OrganizationSheet(present, rows), null);
    }

    private static SheetColumn? Match(string header)
    {
        var compact = new string(header.Where(c => !char.IsWhiteSpace(c)).ToArray());
        foreach (var column in Columns)
            foreach (var english in (string[])[column.English, .. column.OtherEnglishNames])
                if (compact == column.Chinese || compact.Equals(english, StringComparison.OrdinalIgnoreCase)
                    || compact.Equals(column.Chinese + english, StringComparison.OrdinalIgnoreCase))
                    return column.Column;
        return null;
    }

    private static string CellText(object? value) => value switch
    {
        null => "",
        string s => s.Trim(),
        DateTime d => d.ToString(d.TimeOfDay == TimeSpan.Zero ? "yyyy-MM-dd" : "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture).Trim(),
        _ => value.ToString()?.Trim() ?? "",
    };

    private static int ColumnIndex(string letters)
    {
        var index = 0;
        foreach (var c in letters) index = index * 26 + (char.ToUpperInvariant(c) - 'A' + 1);
        return index - 1;
    }

    private static string ColumnLetter(int index)
    {
        var letters = "";
        for (index++; index > 0; index = (index - 1) / 26) letters = (char)('A' + (index - 1) % 26) + letters;
        return letters;
    }
}
