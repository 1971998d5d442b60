using System.Globalization;
using System.Text;
using NeuralOT.Interactive.Progress;

namespace NeuralOT.Interactive.Formatting;

/// <summary>
/// The small chart of the live progress panel as inline SVG: it is replaced several times a second, so it must be
/// light and must not need a script (plotly.js would be re-sent with every update).
/// </summary>
internal static class LiveChart
{
    private const int Width = 560, Height = 130, Left = 60, Right = 8, Top = 8, Bottom = 18;
    private static readonly string[] Colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];

    /// <summary>The curves on one pair of axes; <paramref name="logarithmic"/> plots log10 of positive values. The
    /// iteration axis runs from 0 to the budget (<paramref name="totalIterations"/>; the data's last iteration when
    /// larger or unknown), so the curve grows across the chart as training advances; a linear value axis includes 0
    /// when the values are positive and start near it.</summary>
    public static string Svg(IReadOnlyList<StatusCurve> curves, bool logarithmic, int totalIterations = 0)
    {
        double Y(double v) => logarithmic ? Math.Log10(v) : v;
        var points = curves.SelectMany(c => c.Points).Where(p => double.IsFinite(p.Value) && (!logarithmic || p.Value > 0)).ToArray();
        if (points.Length < 2) return "";
        double x0 = 0, x1 = Math.Max(Math.Max(1, totalIterations), points.Max(p => p.Iteration));
        double y0 = points.Min(p => Y(p.Value)), y1 = points.Max(p => Y(p.Value));
        if (!logarithmic && y0 >= 0 && y0 < 0.1 * y1) y0 = 0;
        if (y1 - y0 < 1e-12) { y0 -= 0.5; y1 += 0.5; }
        string Fmt(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);
        double Px(double x) => Left + (x - x0) / (x1 - x0) * (Width - Left - Right);
        double Py(double y) => Top + (y1 - y) / (y1 - y0) * (Height - Top - Bottom);
        string Label(double y) => Html.Number(double.Parse((logarithmic ? Math.Pow(10, y) : y).ToString("G3", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));

        var svg = new StringBuilder($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" style=\"display:block\">");
        svg.Append($"<rect x=\"{Left}\" y=\"{Top}\" width=\"{Width - Left - Right}\" height=\"{Height - Top - Bottom}\" fill=\"none\" stroke=\"#ccc\"/>");
        svg.Append($"<text x=\"{Left - 4}\" y=\"{Top + 9}\" text-anchor=\"end\" font-size=\"10\">{Html.Encode(Label(y1))}</text>");
        svg.Append($"<text x=\"{Left - 4}\" y=\"{Height - Bottom}\" text-anchor=\"end\" font-size=\"10\">{Html.Encode(Label(y0))}</text>");
        svg.Append($"<text x=\"{Left}\" y=\"{Height - 4}\" font-size=\"10\">{x0:0}</text>");
        svg.Append($"<text x=\"{Width - Right}\" y=\"{Height - 4}\" text-anchor=\"end\" font-size=\"10\">iteration {x1:0}{(logarithmic ? " (log scale)" : "")}</text>");
        for (var i = 0; i < curves.Count; i++)
        {
            var colour = Colours[i % Colours.Length];
            var line = curves[i].Points.Where(p => double.IsFinite(p.Value) && (!logarithmic || p.Value > 0))
                .Select(p => Fmt(Px(p.Iteration)) + "," + Fmt(Py(Y(p.Value))));
            svg.Append($"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.5\" points=\"{string.Join(' ', line)}\"/>");
        }
        svg.Append("</svg>");
        // The legend as a line of text under the chart: SVG text does not measure itself, so labels laid out inside
        // the chart would overlap.
        var legend = curves.Select((c, i) => $"<span style=\"color:{Colours[i % Colours.Length]};margin-right:14px\">━ {Html.Encode(c.Name)}</span>");
        return svg + $"<div style=\"font-size:11px;margin:0 0 4px {Left}px\">{string.Concat(legend)}</div>";
    }
}
