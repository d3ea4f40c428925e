using System.Text.RegularExpressions;
using DiffPlex;

namespace Manyi.Web.Features.WorkflowDefinitions;

/// <summary>
/// What changed inside a value, for the version comparison: the old and the new text cut into pieces, each marked
/// changed or not, so that a long template or expression shows its one changed word instead of all of it in red.
/// Words of Latin letters and digits are compared whole, Chinese character by character (it has no spaces).
/// </summary>
public static partial class TextDiff
{
    public static (IReadOnlyList<TextPiece> Old, IReadOnlyList<TextPiece> New) Of(string? oldText, string? newText)
    {
        var result = new Differ().CreateDiffs(oldText ?? "", newText ?? "", ignoreWhiteSpace: false, ignoreCase: false, Tokens.Instance);
        var deleted = new HashSet<int>(result.DiffBlocks.SelectMany(b => Enumerable.Range(b.DeleteStartA, b.DeleteCountA)));
        var inserted = new HashSet<int>(result.DiffBlocks.SelectMany(b => Enumerable.Range(b.InsertStartB, b.InsertCountB)));
        return (Join(result.PiecesOld, deleted), Join(result.PiecesNew, inserted));
    }

    /// <summary>Neighbouring pieces alike are joined, so the page gets a few runs rather than a span per character.</summary>
    private static List<TextPiece> Join(IReadOnlyList<string> pieces, HashSet<int> changed)
    {
        var joined = new List<TextPiece>();
        for (var i = 0; i < pieces.Count; i++)
        {
            var isChanged = changed.Contains(i);
            if (joined.Count > 0 && joined[^1].Changed == isChanged) joined[^1] = joined[^1] with { Text = joined[^1].Text + pieces[i] };
            else joined.Add(new TextPiece(pieces[i], isChanged));
        }
        return joined;
    }

    private sealed partial class Tokens : IChunker
    {
        public static readonly Tokens Instance = new();

        public IReadOnlyList<string> Chunk(string text) => [.. Token().Matches(text).Select(m => m.Value)];

        [GeneratedRegex(@"[A-Za-z0-9_]+|\s+|.", RegexOptions.Singleline)]
        private static partial Regex Token();
    }
}

public sealed record TextPiece(string Text, bool Changed);
