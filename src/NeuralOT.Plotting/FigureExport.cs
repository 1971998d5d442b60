using Plotly.NET;

namespace NeuralOT.Plotting;

/// <summary>
/// The image files to write beside each HTML figure: PNG (at <see cref="Scale"/> times the chart's size), SVG and PDF
/// (vector, for papers), all rendered by plotly.js in <see cref="Browser"/>.
/// </summary>
/// <param name="Browser">The headless browser (<see cref="Chromium.Locate"/>).</param>
/// <param name="Png">Write a PNG.</param>
/// <param name="Svg">Write an SVG.</param>
/// <param name="Pdf">Write a one-page PDF.</param>
/// <param name="Scale">Pixels per layout pixel of the PNG (2 or 3 for print).</param>
public sealed record FigureExport(Chromium Browser, bool Png = true, bool Svg = false, bool Pdf = false, double Scale = 1)
{
    /// <summary>Writes the requested images of <paramref name="chart"/> beside <paramref name="htmlPath"/> (same name,
    /// other extension).</summary>
    /// <returns>The paths written.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="Scale"/> out of range.</exception>
    public IReadOnlyList<string> Write(GenericChart chart, string htmlPath)
    {
        ArgumentNullException.ThrowIfNull(htmlPath);
        var written = new List<string>();
        if (Png) written.Add(FigureFiles.WritePng(chart, Path.ChangeExtension(htmlPath, ".png"), Browser, Scale));
        if (Svg) written.Add(FigureFiles.WriteSvg(chart, Path.ChangeExtension(htmlPath, ".svg"), Browser));
        if (Pdf) written.Add(FigureFiles.WritePdf(chart, Path.ChangeExtension(htmlPath, ".pdf"), Browser));
        return written;
    }
}
