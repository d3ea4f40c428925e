namespace Manyi.Web.Features.Designer;

/// <summary>
/// Where the designer puts activities it places itself. A long workflow laid out in layers is one tall column that
/// leaves a wide screen empty and shrinks to nothing when fitted; <see cref="Wrap"/> cuts the layers into bands laid
/// side by side, so the drawing is about as wide as a screen. <see cref="FreeSpot"/> finds room for a new activity
/// where it covers no other box nor its ports.
/// </summary>
public static class DesignerLayout
{
    /// <summary>Space between bands, for the connections that run from the foot of one band to the head of the next.</summary>
    public const double BandGap = 140;

    /// <summary>The width over the height that a wrapped drawing aims at: a landscape screen's.</summary>
    private const double Aspect = 1.8;

    /// <summary>Above this many layers a column is cut into bands; a short workflow stays one readable column.</summary>
    private const int MinimumLayers = 8;

    /// <summary>
    /// Lays layered positions (<paramref name="boxes"/>: one row of activities per distinct y) out in bands of whole
    /// layers from left to right, each band keeping its layers' order and indentation.
    /// </summary>
    public static Dictionary<string, (double X, double Y)> Wrap(IReadOnlyList<(string Id, double X, double Y)> boxes, double nodeWidth, double rowHeight)
    {
        var layers = boxes.GroupBy(b => b.Y).OrderBy(g => g.Key).Select(g => g.ToList()).ToList();
        var best = layers.Count;
        if (layers.Count > MinimumLayers)
        {
            var bestScore = double.MaxValue;
            for (var perBand = 4; perBand <= layers.Count; perBand++)
            {
                var bands = Bands(layers, perBand);
                var width = bands.Sum(b => BandWidth(b, nodeWidth)) + BandGap * (bands.Count - 1);
                var score = Math.Abs(Math.Log(width / (perBand * rowHeight) / Aspect));
                if (score < bestScore) (best, bestScore) = (perBand, score);
            }
        }

        var placed = new Dictionary<string, (double X, double Y)>();
        var left = 0d;
        foreach (var band in Bands(layers, best))
        {
            var minX = band.SelectMany(l => l).Min(b => b.X);
            for (var row = 0; row < band.Count; row++)
                foreach (var box in band[row])
                    placed[box.Id] = (left + box.X - minX, row * rowHeight);
            left += BandWidth(band, nodeWidth) + BandGap;
        }
        return placed;
    }

    private static List<List<List<(string Id, double X, double Y)>>> Bands(List<List<(string Id, double X, double Y)>> layers, int perBand) =>
        layers.Chunk(perBand).Select(c => c.ToList()).ToList();

    private static double BandWidth(List<List<(string Id, double X, double Y)>> band, double nodeWidth)
    {
        var all = band.SelectMany(l => l).ToList();
        return all.Max(b => b.X) - all.Min(b => b.X) + nodeWidth;
    }

    /// <summary>Room kept around a box: its port labels hang below it, and a connection needs a way in.</summary>
    private const double MarginX = 30, MarginY = 40;

    /// <summary>
    /// The nearest free place for a box of <paramref name="size"/> to <paramref name="wanted"/>, on rings of a grid
    /// one box apart: nowhere does it cover another box or the room kept around it.
    /// </summary>
    public static (double X, double Y) FreeSpot((double X, double Y) wanted, (double W, double H) size, IReadOnlyList<(double X, double Y, double W, double H)> taken)
    {
        var stepX = size.W + MarginX;
        var stepY = size.H + MarginY;
        for (var ring = 0; ; ring++)
        {
            var candidates = new List<(double X, double Y, double Distance)>();
            for (var dx = -ring; dx <= ring; dx++)
                for (var dy = -ring; dy <= ring; dy++)
                {
                    if (Math.Max(Math.Abs(dx), Math.Abs(dy)) != ring) continue;
                    var (x, y) = (wanted.X + dx * stepX, wanted.Y + dy * stepY);
                    // Below and right first when equally near: the way a flowchart reads on.
                    candidates.Add((x, y, Math.Sqrt(dx * dx * stepX * stepX + dy * dy * stepY * stepY) - (dy > 0 ? 1 : 0) - (dx > 0 ? 0.5 : 0)));
                }
            foreach (var (x, y, _) in candidates.OrderBy(c => c.Distance))
                if (!taken.Any(t => x < t.X + t.W + MarginX && t.X < x + size.W + MarginX && y < t.Y + t.H + MarginY && t.Y < y + size.H + MarginY))
                    return (x, y);
        }
    }
}
