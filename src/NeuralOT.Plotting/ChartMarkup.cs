using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Plotly.NET;

namespace NeuralOT.Plotting;

/// <summary>
/// A chart as an HTML block that fits where it is shown: it takes the width of its container, at most the width the
/// figure was designed for, and optionally at most the height of the window; plotly.js redraws it when the window
/// changes size. Used by the figure pages (<see cref="FigureFiles.WriteHtml(GenericChart, string, bool)"/>) and by the
/// notebook formatters. Image export keeps the designed size (it passes width and height to plotly.js itself).
/// </summary>
public static class ChartMarkup
{
    /// <summary>The smallest share of its designed height that a chart fitted to the window keeps: below it titles
    /// and tick labels would collide, so a shorter window scrolls instead.</summary>
    public const double MinimumHeightShare = 0.75;

    /// <summary>The block: a container, the chart's element and the script that draws it with <c>window.Plotly</c>, or,
    /// when plotly.js has not loaded yet, queues the drawing in <c>window.neuralotCharts</c> for the script that loads
    /// it to run.</summary>
    /// <param name="chart">The chart.</param>
    /// <param name="title">The container's tooltip.</param>
    /// <param name="fitWindowHeight">Also shrink the chart to the window's height (a page of its own), down to
    /// <see cref="MinimumHeightShare"/> of the designed height, instead of keeping the designed height (a block among
    /// others, as in a notebook).</param>
    /// <param name="idSuffix">Appended to the element id, which is otherwise derived from the chart, so the same chart
    /// always gives the same markup; a page showing one chart twice passes different suffixes.</param>
    public static string Responsive(GenericChart chart, string title, bool fitWindowHeight, string? idSuffix = null)
    {
        ArgumentNullException.ThrowIfNull(chart);
        var (width, height) = FigureFiles.Size(chart);
        var figure = JsonNode.Parse(GenericChart.toFigureJson(chart))!.AsObject();
        var layout = figure["layout"] as JsonObject ?? [];
        // plotly.js sizes an autosized chart from its element; the designed size becomes the element's maximum.
        layout.Remove("width");
        if (fitWindowHeight) layout.Remove("height");
        layout["autosize"] = true;
        var id = "neuralot-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(figure.ToJsonString())))[..16] + idSuffix;
        // "</" inside a script would end it early.
        static string Json(JsonNode? node) => (node?.ToJsonString() ?? "null").Replace("</", "<\\/", StringComparison.Ordinal);
        var heightStyle = fitWindowHeight
            ? FormattableString.Invariant($"height:{height}px;max-height:100vh;min-height:{Math.Round(MinimumHeightShare * height)}px")
            : $"height:{height}px";
        var html = new StringBuilder();
        html.Append("<div class=\"neuralot-chart\" title=\"").Append(WebUtility.HtmlEncode(title))
            .Append("\" style=\"width:100%;max-width:").Append(width.ToString(CultureInfo.InvariantCulture)).Append("px\">");
        html.Append("<div id=\"").Append(id).Append("\" style=\"width:100%;").Append(heightStyle).Append("\"></div>");
        html.Append("<script type=\"text/javascript\">(function () {")
            .Append("var draw = function () { window.Plotly.newPlot('").Append(id).Append("', ").Append(Json(figure["data"])).Append(", ")
            .Append(Json(layout)).Append(", {\"responsive\": true, \"displaylogo\": false}); };")
            .Append("if (window.Plotly) draw(); else (window.neuralotCharts = window.neuralotCharts || []).push(draw);")
            .Append("})();</script></div>");
        return html.ToString();
    }
}
