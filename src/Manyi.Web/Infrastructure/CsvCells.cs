namespace Manyi.Web.Infrastructure;

/// <summary>
/// Spreadsheet formula injection: a CSV cell starting with =, +, -, @, a tab or a carriage return is run by Excel as
/// a formula (=HYPERLINK(…) leaks data). Every CSV export prefixes such a cell with an apostrophe, which Excel hides;
/// importing takes the apostrophe off again, so an export imports back unchanged.
/// </summary>
public static class CsvCells
{
    private static bool FormulaLike(char first) => first is '=' or '+' or '-' or '@' or '\t' or '\r';

    public static string Defuse(string? value) =>
        string.IsNullOrEmpty(value) ? "" : FormulaLike(value[0]) ? "'" + value : value;

    public static string Restore(string value) =>
        value.Length > 1 && value[0] == '\'' && FormulaLike(value[1]) ? value[1..] : value;
}
