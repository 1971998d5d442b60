using System.Text.Json;
using Plotly.NET;

namespace NeuralOT.Tests.Plotting;

/// <summary>A chart as plotly.js receives it (data, layout), for asserting its structure.</summary>
internal sealed class FigureJson : IDisposable
{
    private readonly JsonDocument _document;

    public FigureJson(GenericChart chart) => _document = JsonDocument.Parse(GenericChart.toFigureJson(chart));

    public JsonElement Layout => _document.RootElement.GetProperty("layout");

    public IReadOnlyList<JsonElement> Traces => _document.RootElement.GetProperty("data").EnumerateArray().ToArray();

    public JsonElement Trace(string name) => Traces.Single(t => t.GetProperty("name").GetString() == name);

    public IReadOnlyList<JsonElement> TracesNamed(string name) => Traces.Where(t => t.GetProperty("name").GetString() == name).ToArray();

    public int IndexOf(JsonElement trace) => Traces.ToList().FindIndex(t => t.GetRawText() == trace.GetRawText());

    /// <summary>The values of an array attribute; null entries (gaps) become NaN.</summary>
    public static double[] Values(JsonElement trace, string attribute) =>
        trace.GetProperty(attribute).EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? double.NaN : v.GetDouble()).ToArray();

    /// <summary>The panels (x axes) the figure lays out.</summary>
    public int PanelCount => Layout.EnumerateObject().Count(p => p.Name.StartsWith("xaxis", StringComparison.Ordinal));

    public void Dispose() => _document.Dispose();
}
