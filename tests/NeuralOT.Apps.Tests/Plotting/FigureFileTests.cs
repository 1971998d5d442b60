using System.Text.RegularExpressions;
using NeuralOT.Plotting;
using NeuralOT.Tests.Cli;

namespace NeuralOT.Tests.Plotting;

/// <summary>Figure files: offline HTML, PNG through chromium, and the files a run writes. In the training collection:
/// the fixture trains, and one test sets the process-wide chromium variable.</summary>
[Collection(TrainingCollection.Name)]
public partial class FigureFileTests(FigureResults results, FastGaussianRun fastRun)
{
    private static readonly FigureOptions Small = new() { Samples = 100, Tracks = 20, Arrows = 20, GridSize = 6 };

    [Fact]
    public void PagesDeclareTheCharsetFirstAndLoadOnlyLocalFiles()
    {
        using var folder = new TemporaryFolder();
        var path = FigureFiles.WriteHtml(Figures.Map(results.Gaussian, Small), folder.File("map.html"));
        var html = File.ReadAllText(path);
        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.True(html.IndexOf("<meta charset=\"utf-8\">", StringComparison.Ordinal) < html.IndexOf("<script", StringComparison.Ordinal),
            "the charset comes before any script");
        AssertOffline(path);
        Assert.True(new FileInfo(Path.Combine(folder.Path, FigureFiles.PlotlyScriptFile)).Length > 1_000_000, "plotly.js is written beside the page");
    }

    [Fact]
    public void AnInlinedPageCarriesPlotlyItselfAndReferencesNoFile()
    {
        using var folder = new TemporaryFolder();
        var path = FigureFiles.WriteHtml(Figures.Training(results.Gaussian.History), folder.File("training.html"), inlineScript: true);
        var html = File.ReadAllText(path);
        // Outside the scripts (plotly.js itself builds tags from strings), the page refers to nothing.
        var page = Regex.Replace(html, "<script[^>]*>.*?</script>", "", RegexOptions.Singleline);
        Assert.Empty(SourceAttributes().Matches(page));
        Assert.Equal(2, Regex.Matches(html, "<script").Count);
        Assert.Contains("plotly.js v", html);
        Assert.False(File.Exists(Path.Combine(folder.Path, FigureFiles.PlotlyScriptFile)));
    }

    /// <summary>A figure page fits its window: in a small window the chart shrinks to the window's width and height
    /// (not below three quarters of its height, where labels would collide), in a large one it keeps the size it was
    /// designed for (measured on the drawn chart in chromium).</summary>
    [Theory]
    [InlineData(600, 500)]
    [InlineData(1400, 1000)]
    [InlineData(1600, 1400)]
    public void APageFitsItsWindowUpToTheDesignedSize(int windowWidth, int windowHeight)
    {
        using var folder = new TemporaryFolder();
        var chart = Figures.Training(results.Gaussian.History);
        var (width, height) = FigureFiles.Size(chart);
        Assert.True(width > 600 && height > 500, $"the training figure ({width} x {height}) must be larger than the small window");
        var path = FigureFiles.WriteHtml(chart, folder.File("training.html"));
        const string measure = """
            <script>window.addEventListener('load', function () { setTimeout(function () {
              var box = document.querySelector('.main-svg').getBoundingClientRect();
              var pre = document.createElement('pre'); pre.id = 'drawn'; pre.textContent = Math.round(box.width) + 'x' + Math.round(box.height) + ' in ' + window.innerWidth + 'x' + window.innerHeight;
              document.body.appendChild(pre); }, 500); });</script>
            </body>
            """;
        File.WriteAllText(path, File.ReadAllText(path).Replace("</body>", measure, StringComparison.Ordinal));

        var dom = Chromium.Locate().DumpDom(path, window: (windowWidth, windowHeight));

        // The viewport is the window less what headless chromium reserves for its frame: compare with the viewport.
        var drawn = Regex.Match(dom, "<pre id=\"drawn\">(\\d+)x(\\d+) in (\\d+)x(\\d+)</pre>");
        Assert.True(drawn.Success, "the page drew no chart");
        int Read(int group) => int.Parse(drawn.Groups[group].Value, System.Globalization.CultureInfo.InvariantCulture);
        var (drawnWidth, drawnHeight, viewWidth, viewHeight) = (Read(1), Read(2), Read(3), Read(4));
        Assert.InRange(viewWidth, windowWidth - 100, windowWidth);
        Assert.InRange(drawnWidth, Math.Min(width, viewWidth) - 20, Math.Min(width, viewWidth));
        var expectedHeight = Math.Clamp(viewHeight, Math.Round(ChartMarkup.MinimumHeightShare * height), height);
        Assert.InRange(drawnHeight, expectedHeight - 20, expectedHeight);
    }

    [Fact]
    public void RunFiguresWritesEveryFigureOfTheRun()
    {
        using var folder = new TemporaryFolder();
        var written = RunFigures.Write(results.Gaussian, results.Velocity, folder.Path, Small with { Experiment = "small" });
        Assert.Equal(new[] { RunFigures.GeodesicFile, RunFigures.GeodesicPanelsFile, RunFigures.TracksFile, RunFigures.MapFile, RunFigures.VelocityFile, RunFigures.TrainingFile },
            written.Select(Path.GetFileName));
        Assert.All(written, AssertOffline);
        Assert.Contains("small: Geodesic", File.ReadAllText(folder.File(RunFigures.GeodesicFile)));

        using var withoutVelocity = new TemporaryFolder();
        var files = RunFigures.Write(results.Gaussian, null, withoutVelocity.Path, Small).Select(Path.GetFileName).ToArray();
        Assert.DoesNotContain(RunFigures.VelocityFile, files);
        Assert.Equal(5, files.Length);
    }

    [Fact]
    public void AFastRunWritesItsFiguresBesideTheMetrics()
    {
        var outDir = fastRun.Directory;
        var output = fastRun.Output;
        foreach (var file in new[] { "geodesic.html", "geodesic_panels.html", "tracks.html", "map.html", "training.html" })
            AssertOffline(Path.Combine(outDir, file));
        Assert.True(File.Exists(Path.Combine(outDir, "metrics.json")));
        Assert.Contains("figures: geodesic.html", output);
        Assert.Empty(Directory.GetFiles(outDir, "*.png"));
    }

    [Fact]
    public void ChromiumRendersAFigureToPng()
    {
        using var folder = new TemporaryFolder();
        var png = FigureFiles.WritePng(Figures.Training(results.Gaussian.History), folder.File("training.png"), Chromium.Locate());
        var bytes = File.ReadAllBytes(png);
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
        Assert.True(bytes.Length > 20_000, $"a chart with curves and text is more than a blank image ({bytes.Length} bytes)");
        // The image has the chart's size: width and height sit in the IHDR chunk, big-endian.
        var (width, height) = FigureFiles.Size(Figures.Training(results.Gaussian.History));
        Assert.Equal(width, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16, 4)));
        Assert.Equal(height, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20, 4)));
    }

    /// <summary>For papers: a PNG at twice the chart's size, an SVG whose text stays text at the chart's size, and a
    /// one-page PDF of the chart's size (96 px to 72 pt) with no raster image in it.</summary>
    [Fact]
    public void ChromiumWritesAScaledPngAVectorSvgAndAOnePagePdf()
    {
        using var folder = new TemporaryFolder();
        var chart = Figures.Training(results.Gaussian.History);
        var (width, height) = FigureFiles.Size(chart);
        var browser = Chromium.Locate();

        var png = File.ReadAllBytes(FigureFiles.WritePng(chart, folder.File("training.png"), browser, scale: 2));
        Assert.Equal(2 * width, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4)));
        Assert.Equal(2 * height, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20, 4)));

        var svg = System.Xml.Linq.XDocument.Load(FigureFiles.WriteSvg(chart, folder.File("training.svg"), browser)).Root!;
        Assert.Equal("svg", svg.Name.LocalName);
        Assert.Equal(width.ToString(System.Globalization.CultureInfo.InvariantCulture), svg.Attribute("width")?.Value);
        Assert.Equal(height.ToString(System.Globalization.CultureInfo.InvariantCulture), svg.Attribute("height")?.Value);
        Assert.Contains(svg.Descendants().Where(e => e.Name.LocalName == "text"), e => e.Value.Contains("Saddle objective", StringComparison.Ordinal));

        var pdf = System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(FigureFiles.WritePdf(chart, folder.File("training.pdf"), browser)));
        Assert.StartsWith("%PDF-", pdf);
        Assert.Single(Regex.Matches(pdf, @"/Type\s*/Page(?!s)"));
        var box = Regex.Match(pdf, @"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]");
        Assert.True(box.Success, "the page has a media box");
        Assert.Equal(width * 0.75, double.Parse(box.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 1.0);
        Assert.Equal(height * 0.75, double.Parse(box.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), 1.0);
        Assert.DoesNotContain("/Subtype /Image", pdf);
    }

    [Fact]
    public void AScaleOutOfRangeOrWithoutPngIsRefusedBeforeAnythingIsDrawn()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => FigureFiles.WritePng(Figures.Training(results.Gaussian.History), "unused.png", Chromium.Locate(), scale: 0));
        using var folder = new TemporaryFolder();
        var outDir = fastRun.CopyTo(folder.File("run"));
        foreach (var args in new[] { new[] { "figures", outDir, "--scale", "2" }, ["figures", outDir, "--png", "--scale", "0"], ["figures", outDir, "--png", "--scale", "11"] })
        {
            var (code, _, error) = CliRunner.Run(args);
            Assert.Equal(1, code);
            Assert.Contains("--scale", error);
            Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
        Assert.Empty(Directory.GetFiles(outDir, "*.png"));
    }

    /// <summary>The figures command writes an SVG beside every page it writes, and a new run clears them as figures.</summary>
    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    public void TheFiguresCommandWritesAnSvgBesideEveryPage()
    {
        using var folder = new TemporaryFolder();
        var outDir = fastRun.CopyTo(folder.File("run"));
        var (code, output, error) = CliRunner.Run("figures", outDir, "--svg");
        Assert.True(code == 0, error);
        var pages = Directory.GetFiles(outDir, "*.html").Select(Path.GetFileNameWithoutExtension).Order().ToArray();
        Assert.NotEmpty(pages);
        Assert.Equal(pages, Directory.GetFiles(outDir, "*.svg").Select(Path.GetFileNameWithoutExtension).Order().ToArray());
        Assert.Contains(".svg", output);
        Assert.All(Directory.GetFiles(outDir, "*.svg"), file => Assert.True(NeuralOT.Experiments.RunFiles.IsFigureFile(Path.GetFileName(file))));
    }

    [Fact]
    public void AMissingChromiumGivesOneLineSayingHowToInstallIt()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-chromium-" + Guid.NewGuid().ToString("N")[..8]);
        var error = Assert.Throws<ChromiumNotFoundException>(() => Chromium.Locate(missing));
        Assert.Contains("apt-get install chromium", error.Message);
        Assert.Contains(Chromium.PathVariable, error.Message);
        Assert.DoesNotContain('\n', error.Message);

        // Through the variable and the command line: the run stops before training and writes nothing.
        using var folder = new TemporaryFolder();
        var outDir = folder.File("run");
        var previous = Environment.GetEnvironmentVariable(Chromium.PathVariable);
        Environment.SetEnvironmentVariable(Chromium.PathVariable, missing);
        try
        {
            var (code, _, stderr) = CliRunner.Run("run", "gaussian-2d", "--fast", "--png", "--out", outDir);
            Assert.Equal(1, code);
            Assert.StartsWith("error: Image export (PNG, SVG, PDF) needs chromium", stderr);
            Assert.Contains(missing, stderr);
            Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.False(Directory.Exists(outDir));
        }
        finally
        {
            Environment.SetEnvironmentVariable(Chromium.PathVariable, previous);
        }
    }

    [Fact]
    public void ABadProjectionIsRefusedBeforeTraining()
    {
        using var folder = new TemporaryFolder();
        var outDir = folder.File("run");
        var (code, _, stderr) = CliRunner.Run("run", "gaussian-2d", "--fast", "--projection", "coords:1,3", "--out", outDir);
        Assert.Equal(1, code);
        Assert.Contains("coords:i,j", stderr);
        Assert.False(Directory.Exists(outDir));
    }

    /// <summary>Every src and href of the page names a file that exists beside it: no network address.</summary>
    private static void AssertOffline(string htmlPath)
    {
        var html = File.ReadAllText(htmlPath);
        var references = SourceAttributes().Matches(html).Select(m => m.Groups[2].Value).ToArray();
        Assert.NotEmpty(references);
        foreach (var reference in references)
        {
            Assert.DoesNotMatch("^[a-zA-Z][a-zA-Z0-9+.-]*:|^//", reference);
            Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(htmlPath)!, reference)), $"{reference} is missing beside {htmlPath}");
        }
    }

    [GeneratedRegex("""\b(src|href)\s*=\s*["']([^"']*)["']""", RegexOptions.IgnoreCase)]
    private static partial Regex SourceAttributes();
}
