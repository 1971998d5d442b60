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
            Assert.StartsWith("error: PNG export needs chromium", stderr);
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
