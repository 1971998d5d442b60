using System.Text;
using NeuralOT.IO;
using Plotly.NET;

namespace NeuralOT.Plotting;

/// <summary>
/// Saves charts as HTML pages that render with no network: the page loads plotly.js from a file written once beside it
/// (<see cref="PlotlyScriptFile"/>, the copy shipped inside the Plotly.NET package), or carries it inline. The
/// character set is declared first so that every browser decodes the text the same way.
/// </summary>
public static class FigureFiles
{
    private static readonly Lazy<(string Name, byte[] Script, byte[]? License)> Bundled = new(ReadBundledScript);

    /// <summary>The file name of the bundled plotly.js, such as <c>plotly-2.28.0.min.js</c>.</summary>
    public static string PlotlyScriptFile => Bundled.Value.Name;

    /// <summary>The text of the bundled plotly.js (<see cref="PlotlyScriptFile"/>), to inline it once in a page that
    /// holds several charts.</summary>
    public static string PlotlyScriptText => Encoding.UTF8.GetString(Bundled.Value.Script);

    /// <summary>The HTML page of a chart.</summary>
    /// <param name="chart">The chart.</param>
    /// <param name="title">The page title.</param>
    /// <param name="inlineScript">Put plotly.js inside the page (about 3.6 MB) instead of referring to
    /// <see cref="PlotlyScriptFile"/> beside it.</param>
    public static string ToHtml(GenericChart chart, string title, bool inlineScript = false) => Page(chart, title, inlineScript, false);

    /// <summary>The page; <paramref name="forImage"/> hides plotly's tool bar, which a screenshot would show.</summary>
    private static string Page(GenericChart chart, string title, bool inlineScript, bool forImage)
    {
        ArgumentNullException.ThrowIfNull(chart);
        var script = inlineScript
            ? "<script type=\"text/javascript\">" + Encoding.UTF8.GetString(Bundled.Value.Script) + "</script>"
            : $"<script type=\"text/javascript\" src=\"{PlotlyScriptFile}\"></script>";
        return $$"""
            <!DOCTYPE html>
            <html>
            <head>
            <meta charset="utf-8">
            <style>body { margin: 0; }{{(forImage ? " .modebar { display: none !important; }" : "")}}</style>
            <title>{{System.Net.WebUtility.HtmlEncode(title)}}</title>
            {{script}}
            </head>
            <body>
            {{(forImage ? ChartHtml(chart) : ChartMarkup.Responsive(chart, title, fitWindowHeight: true))}}
            </body>
            </html>

            """;
    }

    /// <summary>Plotly.NET's chart markup with its random element id (a fresh GUID per call) replaced by one derived
    /// from the chart itself, so the same figure always gives the same file (a figure drawn again from a checkpoint
    /// can be compared byte for byte) while different charts on one page keep different ids.</summary>
    private static string ChartHtml(GenericChart chart)
    {
        var html = GenericChart.toChartHTML(chart);
        var match = System.Text.RegularExpressions.Regex.Match(html, "id=\"([0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12})\"");
        if (!match.Success) return html;
        var guid = match.Groups[1].Value;
        var compact = guid.Replace("-", "");
        var withoutId = html.Replace(guid, "").Replace(compact, "");
        var stable = "chart" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(withoutId)))[..24];
        return html.Replace(guid, stable).Replace(compact, stable);
    }

    /// <summary>Writes a chart as an HTML page and, unless inlined, plotly.js beside it (once per folder).</summary>
    /// <param name="chart">The chart.</param>
    /// <param name="path">The .html file to write; its folder is created when missing.</param>
    /// <param name="inlineScript">See <see cref="ToHtml"/>.</param>
    /// <returns>The full path written.</returns>
    public static string WriteHtml(GenericChart chart, string path, bool inlineScript = false) => WriteHtml(chart, path, inlineScript, false);

    private static string WriteHtml(GenericChart chart, string path, bool inlineScript, bool forImage)
    {
        ArgumentNullException.ThrowIfNull(path);
        var fullPath = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(fullPath)!;
        Directory.CreateDirectory(folder);
        if (!inlineScript) WritePlotlyScript(folder);
        AtomicFile.Write(fullPath, Encoding.UTF8.GetBytes(Page(chart, Path.GetFileNameWithoutExtension(path), inlineScript, forImage)));
        return fullPath;
    }

    /// <summary>Renders a chart to a PNG file with chromium, through plotly.js's own image export.</summary>
    /// <param name="chart">The chart.</param>
    /// <param name="pngPath">The image to write.</param>
    /// <param name="chromium">The browser; <see cref="Chromium.Locate"/> when null.</param>
    /// <param name="scale">Pixels per layout pixel: the image is the chart's size (its layout width and height) times
    /// this; 2 or 3 for print. Between 0.1 and 10.</param>
    /// <returns>The full path written.</returns>
    /// <exception cref="ChromiumNotFoundException">No chromium was given or found.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="scale"/> out of range.</exception>
    public static string WritePng(GenericChart chart, string pngPath, Chromium? chromium = null, double scale = 1)
    {
        if (!(scale is >= MinScale and <= MaxScale))
            throw new ArgumentOutOfRangeException(nameof(scale), scale, $"The image scale must be between {MinScale} and {MaxScale} (2 or 3 for print).");
        var dataUrl = Export(chart, "png", scale, chromium);
        const string prefix = "data:image/png;base64,";
        if (!dataUrl.StartsWith(prefix, StringComparison.Ordinal)) throw new IOException($"plotly.js returned no PNG image for {pngPath}.");
        return WriteImage(pngPath, Convert.FromBase64String(dataUrl[prefix.Length..]));
    }

    /// <summary>Writes a chart as an SVG file (vector: text stays text), rendered by plotly.js in chromium.</summary>
    /// <param name="chart">The chart.</param>
    /// <param name="svgPath">The file to write.</param>
    /// <param name="chromium">The browser; <see cref="Chromium.Locate"/> when null.</param>
    /// <returns>The full path written.</returns>
    /// <exception cref="ChromiumNotFoundException">No chromium was given or found.</exception>
    public static string WriteSvg(GenericChart chart, string svgPath, Chromium? chromium = null) =>
        WriteImage(svgPath, Encoding.UTF8.GetBytes(Svg(chart, chromium)));

    /// <summary>Writes a chart as a one-page vector PDF of the chart's size (chromium prints its SVG).</summary>
    /// <param name="chart">The chart.</param>
    /// <param name="pdfPath">The file to write.</param>
    /// <param name="chromium">The browser; <see cref="Chromium.Locate"/> when null.</param>
    /// <returns>The full path written.</returns>
    /// <exception cref="ChromiumNotFoundException">No chromium was given or found.</exception>
    public static string WritePdf(GenericChart chart, string pdfPath, Chromium? chromium = null)
    {
        chromium ??= Chromium.Locate();
        var svg = Svg(chart, chromium);
        var (width, height) = Size(chart);
        var page = Directory.CreateTempSubdirectory("neuralot-figure-");
        try
        {
            File.WriteAllText(Path.Combine(page.FullName, "figure.svg"), svg);
            var html = Path.Combine(page.FullName, "print.html");
            File.WriteAllText(html, $$"""
                <!DOCTYPE html>
                <html><head><meta charset="utf-8">
                <style>@page { size: {{width}}px {{height}}px; margin: 0 } html, body { margin: 0 } img { display: block; width: {{width}}px; height: {{height}}px }</style>
                </head><body><img src="figure.svg"></body></html>
                """);
            var printed = Path.Combine(page.FullName, "figure.pdf");
            chromium.PrintPdf(html, printed);
            return WriteImage(pdfPath, File.ReadAllBytes(printed));
        }
        finally
        {
            page.Delete(recursive: true);
        }
    }

    /// <summary>The smallest and largest <c>scale</c> of <see cref="WritePng"/>.</summary>
    public const double MinScale = 0.1, MaxScale = 10;

    private static string Svg(GenericChart chart, Chromium? chromium)
    {
        var dataUrl = Export(chart, "svg", 1, chromium);
        const string prefix = "data:image/svg+xml,";
        if (!dataUrl.StartsWith(prefix, StringComparison.Ordinal)) throw new IOException("plotly.js returned no SVG image.");
        return Uri.UnescapeDataString(dataUrl[prefix.Length..]);
    }

    private static string WriteImage(string path, byte[] bytes)
    {
        var fullPath = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        AtomicFile.Write(fullPath, bytes);
        return fullPath;
    }

    /// <summary>plotly.js's image of the chart (<c>Plotly.toImage</c> at the chart's layout size) as a data URL: the
    /// chart's page, with a script that puts the image into the document, which chromium then prints out.</summary>
    private static string Export(GenericChart chart, string format, double scale, Chromium? chromium)
    {
        ArgumentNullException.ThrowIfNull(chart);
        chromium ??= Chromium.Locate();
        var (width, height) = Size(chart);
        var page = Directory.CreateTempSubdirectory("neuralot-figure-");
        try
        {
            var html = WriteHtml(chart, Path.Combine(page.FullName, "figure.html"), inlineScript: false, forImage: true);
            var scaleText = scale.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
            var exportScript = $$"""
                <script>
                window.addEventListener('load', function () {
                  function put(id, text) { var pre = document.createElement('pre'); pre.id = id; pre.textContent = text; document.body.appendChild(pre); }
                  Plotly.toImage(document.querySelector('.js-plotly-plot'), { format: '{{format}}', width: {{width}}, height: {{height}}, scale: {{scaleText}} })
                    .then(function (url) { put('{{ExportId}}', url); }, function (error) { put('{{ExportErrorId}}', String(error)); });
                });
                </script>
                </body>
                """;
            File.WriteAllText(html, File.ReadAllText(html).Replace("</body>", exportScript, StringComparison.Ordinal));
            var dom = chromium.DumpDom(html);
            if (Between(dom, ExportErrorId) is { } error) throw new IOException($"plotly.js could not export the chart as {format}: {error}");
            return Between(dom, ExportId) ?? throw new IOException($"plotly.js exported no {format} image within chromium's time budget.");
        }
        finally
        {
            page.Delete(recursive: true);
        }
    }

    private const string ExportId = "neuralot-export", ExportErrorId = "neuralot-export-error";

    /// <summary>The text of the <c>pre</c> element with the given id in a dumped document, HTML-decoded; null if absent.</summary>
    private static string? Between(string dom, string id)
    {
        var open = $"<pre id=\"{id}\">";
        var start = dom.IndexOf(open, StringComparison.Ordinal);
        if (start < 0) return null;
        start += open.Length;
        var end = dom.IndexOf("</pre>", start, StringComparison.Ordinal);
        return end < 0 ? null : System.Net.WebUtility.HtmlDecode(dom[start..end]);
    }

    /// <summary>The layout size of a chart in pixels (Plotly.NET's default 600 x 600 when unset).</summary>
    public static (int Width, int Height) Size(GenericChart chart)
    {
        var layout = GenericChart.getLayout(chart);
        int Get(string name) => layout.TryGetPropertyValue(name) is { } value && value.Value is IConvertible number
            ? number.ToInt32(System.Globalization.CultureInfo.InvariantCulture) : 600;
        return (Get("width"), Get("height"));
    }

    /// <summary>Writes <see cref="PlotlyScriptFile"/> (and its licence notice) into <paramref name="directory"/>
    /// unless an identical copy is there.</summary>
    /// <returns>The script's full path.</returns>
    public static string WritePlotlyScript(string directory)
    {
        var (name, script, license) = Bundled.Value;
        var path = Path.Combine(Path.GetFullPath(directory), name);
        if (!File.Exists(path) || new FileInfo(path).Length != script.Length) AtomicFile.Write(path, script);
        if (license is not null && !File.Exists(path + ".LICENSE.txt")) AtomicFile.Write(path + ".LICENSE.txt", license);
        return path;
    }

    /// <summary>plotly.js as Plotly.NET embeds it (resource <c>Plotly.NET.plotly-X.Y.Z.min.js</c>).</summary>
    private static (string, byte[], byte[]?) ReadBundledScript()
    {
        var assembly = typeof(GenericChart).Assembly;
        var resource = assembly.GetManifestResourceNames().SingleOrDefault(n => n.StartsWith("Plotly.NET.plotly-", StringComparison.Ordinal) && n.EndsWith(".min.js", StringComparison.Ordinal))
                       ?? throw new InvalidOperationException($"{assembly.GetName()} carries no plotly.js resource; the Plotly.NET package version is not one this library supports.");
        return (resource["Plotly.NET.".Length..], Read(assembly, resource)!, Read(assembly, resource + ".LICENSE.txt"));
    }

    private static byte[]? Read(System.Reflection.Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource);
        if (stream is null) return null;
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }
}
