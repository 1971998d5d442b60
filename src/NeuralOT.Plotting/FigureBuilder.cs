using Plotly.NET;

namespace NeuralOT.Plotting;

/// <summary>
/// Assembles a chart from plotly.js traces and layout entries set by their plotly.js attribute names (Plotly.NET's
/// F# optional arguments are unwieldy from C#). Panels are cartesian subplots placed by domain; a slider shows one
/// group of traces at a time.
/// </summary>
internal sealed class FigureBuilder
{
    /// <summary>The figures' text size in layout pixels (tick labels, legends, axis titles).</summary>
    internal const int BaseFontSize = 14;

    private readonly List<Trace> _traces = [];
    private readonly Dictionary<string, object> _layout = new();
    private readonly List<object> _annotations = [];
    private readonly HashSet<string> _legendShown = [];
    private readonly Dictionary<int, double> _panelTops = [];
    private readonly string _title;
    private readonly int _width;
    private readonly int _height;
    private readonly LegendPlace _legend;

    /// <summary>Where the legend goes: to the right of the plot (widening the figure by <see cref="LegendWidth"/>), to
    /// the right of each panel with that panel's entries only (stacked panels), in a row below it, or nowhere (figures
    /// whose axes say everything, such as image grids).</summary>
    public enum LegendPlace { Right, RightOfEachPanel, Below, None }

    /// <summary>The room a legend on the right takes, in pixels.</summary>
    public const int LegendWidth = 190;

    /// <param name="title">The title; lines after the first (separated by &lt;br&gt;) are subtitles.</param>
    /// <param name="width">The width of the plotting part in pixels (a legend on the right adds to it).</param>
    /// <param name="height">The height in pixels.</param>
    /// <param name="legend">Where the legend goes.</param>
    public FigureBuilder(string title, int width, int height, LegendPlace legend)
    {
        _title = title;
        _width = width + (legend is LegendPlace.Right or LegendPlace.RightOfEachPanel ? LegendWidth : 0);
        _height = height;
        _legend = legend;
    }

    public int TraceCount => _traces.Count;

    /// <summary>Adds a trace drawn on panel <paramref name="panel"/> (1-based); its legend entry appears once per name.</summary>
    public int Add(Trace trace, string name, int panel = 1)
    {
        trace.SetProperty("name", name);
        if (_legend == LegendPlace.RightOfEachPanel)
        {
            // plotly.js's legends are "legend", "legend2", ...: one per panel, each listing the panel's own curves.
            var legend = LegendName(panel);
            trace.SetProperty("legend", legend);
            trace.SetProperty("legendgroup", legend + "/" + name);
            trace.SetProperty("showlegend", _legendShown.Add(legend + "/" + name));
        }
        else
        {
            trace.SetProperty("legendgroup", name);
            trace.SetProperty("showlegend", _legendShown.Add(name));
        }
        if (panel > 1)
        {
            trace.SetProperty("xaxis", $"x{panel}");
            trace.SetProperty("yaxis", $"y{panel}");
        }
        _traces.Add(trace);
        return _traces.Count - 1;
    }

    /// <summary>Places panel <paramref name="panel"/> (1-based) in the given fractions of the figure.</summary>
    /// <param name="panel">The panel number.</param>
    /// <param name="xDomain">Horizontal extent, fractions of the plotting area.</param>
    /// <param name="yDomain">Vertical extent.</param>
    /// <param name="xTitle">Horizontal axis title.</param>
    /// <param name="yTitle">Vertical axis title.</param>
    /// <param name="bounds">Fixed data ranges, or null to fit the data.</param>
    /// <param name="equalScale">One unit is as long on both axes (point clouds, arrows).</param>
    /// <param name="logY">A logarithmic vertical axis.</param>
    /// <param name="title">A title above the panel, or null.</param>
    /// <param name="xCategories">Labels of the positions 0, 1, ... of a categorical horizontal axis (empty strings
    /// hide them), or null for a numeric axis.</param>
    public void Panel(int panel, (double, double) xDomain, (double, double) yDomain, string xTitle, string yTitle,
        Bounds? bounds = null, bool equalScale = false, bool logY = false, string? title = null, IReadOnlyList<string>? xCategories = null)
    {
        var suffix = panel == 1 ? "" : panel.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _panelTops[panel] = yDomain.Item2;
        var xAxis = new Dictionary<string, object>
        {
            ["domain"] = new[] { xDomain.Item1, xDomain.Item2 }, ["anchor"] = "y" + suffix,
            ["title"] = new Dictionary<string, object> { ["text"] = xTitle }, ["zeroline"] = false,
        };
        var yAxis = new Dictionary<string, object>
        {
            ["domain"] = new[] { yDomain.Item1, yDomain.Item2 }, ["anchor"] = "x" + suffix,
            ["title"] = new Dictionary<string, object> { ["text"] = yTitle }, ["zeroline"] = false,
        };
        if (bounds is { } b)
        {
            xAxis["range"] = new[] { b.XMin, b.XMax };
            yAxis["range"] = new[] { b.YMin, b.YMax };
        }
        if (equalScale)
        {
            yAxis["scaleanchor"] = "x" + suffix;
            yAxis["scaleratio"] = 1;
            // Keep the data ranges and shrink the panel instead, so one unit has the same length on both axes.
            xAxis["constrain"] = "domain";
            yAxis["constrain"] = "domain";
        }
        if (logY)
        {
            // Labels at the powers of ten only (as 10⁻³, not 0.001 with 2 and 5 between); the grid keeps 2..9.
            yAxis["type"] = "log";
            yAxis["dtick"] = 1;
            yAxis["exponentformat"] = "power";
            yAxis["minor"] = new Dictionary<string, object> { ["dtick"] = "D1", ["showgrid"] = true, ["gridcolor"] = "#f3f3f3" };
        }
        if (xCategories is not null)
        {
            xAxis["tickvals"] = Enumerable.Range(0, xCategories.Count).ToArray();
            xAxis["ticktext"] = xCategories.ToArray();
            xAxis["range"] = new[] { -0.5, xCategories.Count - 0.5 };
        }
        // A thin frame and light grid lines: plotly.js draws neither on a white background by default.
        foreach (var axis in new[] { xAxis, yAxis })
        {
            axis["showline"] = true;
            axis["mirror"] = true;
            axis["linecolor"] = "#B0B0B0";
            axis["gridcolor"] = "#ECECEC";
        }
        _layout["xaxis" + suffix] = xAxis;
        _layout["yaxis" + suffix] = yAxis;
        if (title is not null)
            _annotations.Add(new Dictionary<string, object>
            {
                ["text"] = title, ["showarrow"] = false, ["xref"] = "paper", ["yref"] = "paper",
                ["x"] = (xDomain.Item1 + xDomain.Item2) / 2, ["y"] = yDomain.Item2, ["xanchor"] = "center", ["yanchor"] = "bottom",
                ["font"] = new Dictionary<string, object> { ["size"] = BaseFontSize + 1 },
            });
    }

    /// <summary>A slider whose step k shows the traces of <paramref name="groups"/>[k] and hides those of the other
    /// groups; traces in no group stay visible throughout. Step <paramref name="active"/> is shown first.</summary>
    public void Slider(string prefix, IReadOnlyList<string> labels, IReadOnlyList<IReadOnlyList<int>> groups, int active = 0)
    {
        var member = new Dictionary<int, int>();
        for (var k = 0; k < groups.Count; k++)
            foreach (var index in groups[k]) member[index] = k;
        var steps = new List<object>();
        for (var k = 0; k < groups.Count; k++)
        {
            var visible = Enumerable.Range(0, _traces.Count).Select(i => !member.TryGetValue(i, out var g) || g == k).ToArray();
            steps.Add(new Dictionary<string, object>
            {
                ["label"] = labels[k], ["method"] = "restyle",
                ["args"] = new object[] { "visible", visible },
            });
        }
        foreach (var (index, group) in member) _traces[index].SetProperty("visible", group == active);
        // Hidden traces leave the legend, so each step carries its own entries: the first trace of each name in a group.
        foreach (var group in groups)
        {
            var named = new HashSet<string>();
            foreach (var index in group)
                _traces[index].SetProperty("showlegend", named.Add((string)_traces[index].GetPropertyValue("name")));
        }
        _layout["sliders"] = new object[]
        {
            new Dictionary<string, object>
            {
                ["active"] = active, ["steps"] = steps, ["pad"] = new Dictionary<string, object> { ["t"] = 50 },
                ["currentvalue"] = new Dictionary<string, object> { ["prefix"] = prefix, ["font"] = new Dictionary<string, object> { ["size"] = BaseFontSize } },
            },
        };
    }

    private static string LegendName(int panel) =>
        panel == 1 ? "legend" : "legend" + panel.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Adds or replaces a layout attribute by its plotly.js name.</summary>
    public void Set(string attribute, object value) => _layout[attribute] = value;

    public GenericChart Build()
    {
        // The top margin holds plotly's tool bar (in its own strip, so a long title never runs under it), the title
        // lines and, above the first row of panels, their titles.
        const int toolBar = 22;
        var titleLines = _title.Split("<br>").Length;
        var top = toolBar + 36 + 24 * titleLines + (_annotations.Count > 0 ? 28 : 0);
        _layout["title"] = new Dictionary<string, object>
        {
            ["text"] = _title, ["x"] = 0.5, ["xanchor"] = "center", ["y"] = 1 - (toolBar + 26.0) / _height, ["yanchor"] = "middle",
        };
        _layout["width"] = _width;
        _layout["height"] = _height;
        // 14 px instead of plotly's 12: a figure of about 900 px printed at a text width of 6.5 inches keeps its tick
        // labels at about 7 points.
        _layout["font"] = new Dictionary<string, object> { ["size"] = BaseFontSize };
        _layout["margin"] = new Dictionary<string, object>
        {
            ["l"] = 70, ["r"] = _legend is LegendPlace.Right or LegendPlace.RightOfEachPanel ? LegendWidth : 30, ["t"] = top,
            ["b"] = _legend == LegendPlace.Below ? 100 : 60,
        };
        if (_legend == LegendPlace.None) _layout["showlegend"] = false;
        else if (_legend == LegendPlace.RightOfEachPanel)
            foreach (var (panel, panelTop) in _panelTops)
                _layout[LegendName(panel)] = new Dictionary<string, object>
                {
                    ["orientation"] = "v", ["x"] = 1.02, ["xanchor"] = "left", ["y"] = panelTop, ["yanchor"] = "top",
                };
        else _layout["legend"] = _legend == LegendPlace.Right
            ? new Dictionary<string, object> { ["orientation"] = "v", ["x"] = 1.02, ["xanchor"] = "left", ["y"] = 1, ["yanchor"] = "top" }
            : new Dictionary<string, object> { ["orientation"] = "h", ["x"] = 0.5, ["xanchor"] = "center", ["y"] = -70.0 / (_height - top - 100), ["yanchor"] = "top" };
        if (_annotations.Count > 0) _layout["annotations"] = _annotations.ToArray();
        // Without Plotly.NET's default template: serialising it takes over a second per chart, and plotly.js's own
        // defaults look as good.
        var chart = GenericChart.ofTraceObjects(false, _traces);
        var layout = new Layout();
        foreach (var (name, value) in _layout) layout.SetProperty(name, value);
        return GenericChart.addLayout(layout, chart);
    }
}

/// <summary>A data rectangle [XMin, XMax] x [YMin, YMax].</summary>
internal readonly record struct Bounds(double XMin, double XMax, double YMin, double YMax)
{
    public double Width => XMax - XMin;

    public double Height => YMax - YMin;

    /// <summary>The smallest rectangle holding every finite point of the clouds, widened by <paramref name="margin"/>
    /// of its larger side on each side.</summary>
    public static Bounds Of(IEnumerable<(double[] X, double[] Y)> clouds, double margin = 0.05)
    {
        double xMin = double.PositiveInfinity, xMax = double.NegativeInfinity, yMin = double.PositiveInfinity, yMax = double.NegativeInfinity;
        foreach (var (xs, ys) in clouds)
            for (var i = 0; i < xs.Length; i++)
            {
                if (!double.IsFinite(xs[i]) || !double.IsFinite(ys[i])) continue;
                xMin = Math.Min(xMin, xs[i]);
                xMax = Math.Max(xMax, xs[i]);
                yMin = Math.Min(yMin, ys[i]);
                yMax = Math.Max(yMax, ys[i]);
            }
        if (double.IsInfinity(xMin)) return new Bounds(-1, 1, -1, 1);
        var pad = margin * Math.Max(Math.Max(xMax - xMin, yMax - yMin), 1e-9);
        return new Bounds(xMin - pad, xMax + pad, yMin - pad, yMax + pad);
    }
}
