using System.Text;

namespace Manyi.Bench;

/// <summary>Minimal plain-text table: left-aligned text columns, right-aligned number columns.</summary>
public sealed class TextTable
{
    private readonly (string Title, bool AlignRight)[] columns;
    private readonly List<string[]> rows = [];

    public TextTable(params (string Title, bool AlignRight)[] columns)
    {
        this.columns = columns;
    }

    /// <summary>Adds a row. A row with fewer cells than columns lets its last cell run on unpadded (for notes).</summary>
    public void AddRow(params string[] cells)
    {
        if (cells.Length == 0 || cells.Length > columns.Length)
        {
            throw new ArgumentException($"A row needs 1 to {columns.Length} cells.", nameof(cells));
        }
        rows.Add(cells);
    }

    public string Render(string indent = "  ")
    {
        var widths = columns.Select(column => column.Title.Length).ToArray();
        foreach (var row in rows)
        {
            // The run-on last cell of a short row does not widen its column.
            var sizedCells = row.Length == columns.Length ? row.Length : row.Length - 1;
            for (var i = 0; i < sizedCells; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        var text = new StringBuilder();
        AppendLine(text, indent, columns.Select(column => column.Title).ToArray(), widths);
        AppendLine(text, indent, widths.Select(width => new string('-', width)).ToArray(), widths);
        foreach (var row in rows)
        {
            AppendLine(text, indent, row, widths);
        }
        return text.ToString();
    }

    private void AppendLine(StringBuilder text, string indent, string[] cells, int[] widths)
    {
        var line = new StringBuilder(indent);
        for (var i = 0; i < cells.Length; i++)
        {
            var isLastOfShortRow = cells.Length < columns.Length && i == cells.Length - 1;
            var cell = isLastOfShortRow ? cells[i]
                : columns[i].AlignRight ? cells[i].PadLeft(widths[i])
                : cells[i].PadRight(widths[i]);
            line.Append(cell).Append("   ");
        }
        text.Append(line.ToString().TrimEnd()).Append(Environment.NewLine);
    }
}
