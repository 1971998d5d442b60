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
            {{ChartHtml(chart)}}
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

    /// <summary>Renders a chart to a PNG file of the chart's size (its layout width and height) with chromium.</summary>
    /// <param name="chart">The chart.</param>
    /// <param name="pngPath">The image to write.</param>
    /// <param name="chromium">The browser; <see cref="Chromium.Locate"/> when null.</param>
    /// <returns>The full path written.</returns>
    /// <exception cref="ChromiumNotFoundException">No chromium was given or found.</exception>
    public static string WritePng(GenericChart chart, string pngPath, Chromium? chromium = null)
    {
        ArgumentNullException.ThrowIfNull(chart);
        chromium ??= Chromium.Locate();
        var page = Directory.CreateTempSubdirectory("neuralot-figure-");
        try
        {
            var html = WriteHtml(chart, Path.Combine(page.FullName, "figure.html"), inlineScript: false, forImage: true);
            var (width, height) = Size(chart);
            var png = Path.GetFullPath(pngPath);
            Directory.CreateDirectory(Path.GetDirectoryName(png)!);
            chromium.RenderPng(html, png, width, height);
            return png;
        }
        finally
        {
            page.Delete(recursive: true);
        }
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
