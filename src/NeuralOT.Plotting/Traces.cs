using Plotly.NET;

namespace NeuralOT.Plotting;

/// <summary>
/// The plotly.js traces the figures are made of. Many segments go into ONE line trace, separated by null points (a gap
/// in plotly.js), which renders thousands of arrows or tracks quickly.
/// </summary>
internal static class Traces
{
    /// <summary>Entries per arrow in <see cref="Arrows"/>: the shaft (tail, tip), a gap, the head (one barb, tip, the
    /// other barb) and a gap.</summary>
    public const int PointsPerArrow = 7;

    /// <summary>The angle between the shaft and each barb of an arrow head.</summary>
    private const double HeadAngle = 25 * Math.PI / 180;

    /// <summary>The values rounded to about six significant digits of the largest one, far below what a screen can
    /// show, which makes the pages a few times smaller; non-finite values become gaps (null).</summary>
    public static double?[] Compact(IReadOnlyList<double?> values)
    {
        var largest = values.Where(v => v is { } x && double.IsFinite(x)).Select(v => Math.Abs(v!.Value)).DefaultIfEmpty(0).Max();
        var decimals = largest > 0 ? Math.Clamp(5 - (int)Math.Floor(Math.Log10(largest)), 0, 15) : 0;
        return values.Select(v => v is { } x && double.IsFinite(x) ? Math.Round(x, decimals) : (double?)null).ToArray();
    }

    public static Trace Points(double[] x, double[] y, string color, double size = 4, double opacity = 1)
    {
        var trace = new Trace2D("scatter");
        trace.SetProperty("mode", "markers");
        trace.SetProperty("x", Compact(x.Select(v => (double?)v).ToArray()));
        trace.SetProperty("y", Compact(y.Select(v => (double?)v).ToArray()));
        trace.SetProperty("marker", new Dictionary<string, object> { ["color"] = color, ["size"] = size, ["opacity"] = opacity });
        trace.SetProperty("hoverinfo", "skip");
        return trace;
    }

    public static Trace Line(IReadOnlyList<double?> x, IReadOnlyList<double?> y, string color, double width = 2, double opacity = 1, string dash = "solid")
    {
        var trace = new Trace2D("scatter");
        trace.SetProperty("mode", "lines");
        trace.SetProperty("x", Compact(x));
        trace.SetProperty("y", Compact(y));
        trace.SetProperty("opacity", opacity);
        trace.SetProperty("line", new Dictionary<string, object> { ["color"] = color, ["width"] = width, ["dash"] = dash });
        return trace;
    }

    /// <summary>Polylines (one per entry of <paramref name="paths"/>, each a list of points) as one trace.</summary>
    public static Trace Paths(IReadOnlyList<(double[] X, double[] Y)> paths, string color, double width = 1, double opacity = 1, string dash = "solid")
    {
        var x = new List<double?>();
        var y = new List<double?>();
        foreach (var (px, py) in paths)
        {
            for (var i = 0; i < px.Length; i++)
            {
                x.Add(px[i]);
                y.Add(py[i]);
            }
            x.Add(null);
            y.Add(null);
        }
        var trace = Line(x, y, color, width, opacity, dash);
        trace.SetProperty("hoverinfo", "skip");
        return trace;
    }

    /// <summary>Arrows from (x0, y0) to (x1, y1) as one line trace of <see cref="PointsPerArrow"/> entries per arrow.
    /// Each head is 35 % of its arrow, at most <paramref name="maxHead"/> long (data units, drawn with equal axis
    /// scales).</summary>
    public static Trace Arrows(double[] x0, double[] y0, double[] x1, double[] y1, double maxHead, string color, double width = 1.5)
    {
        var x = new double?[x0.Length * PointsPerArrow];
        var y = new double?[x0.Length * PointsPerArrow];
        for (var i = 0; i < x0.Length; i++)
        {
            double dx = x1[i] - x0[i], dy = y1[i] - y0[i];
            var length = Math.Sqrt(dx * dx + dy * dy);
            var head = Math.Min(0.35 * length, maxHead);
            // Unit vector pointing back from the tip; a zero arrow gets a zero head.
            double bx = length > 0 ? -dx / length : 0, by = length > 0 ? -dy / length : 0;
            double cos = Math.Cos(HeadAngle), sin = Math.Sin(HeadAngle);
            var o = i * PointsPerArrow;
            (x[o], y[o]) = (x0[i], y0[i]);
            (x[o + 1], y[o + 1]) = (x1[i], y1[i]);
            (x[o + 2], y[o + 2]) = (null, null);
            (x[o + 3], y[o + 3]) = (x1[i] + head * (bx * cos - by * sin), y1[i] + head * (bx * sin + by * cos));
            (x[o + 4], y[o + 4]) = (x1[i], y1[i]);
            (x[o + 5], y[o + 5]) = (x1[i] + head * (bx * cos + by * sin), y1[i] + head * (-bx * sin + by * cos));
            (x[o + 6], y[o + 6]) = (null, null);
        }
        var trace = Line(x, y, color, width);
        trace.SetProperty("hoverinfo", "skip");
        return trace;
    }
}
