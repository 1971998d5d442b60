using NeuralOT.Experiments;
using NeuralOT.Solvers;
using Plotly.NET;

namespace NeuralOT.Plotting;

/// <summary>One figure of a run and the file it is saved as.</summary>
/// <param name="FileName">The HTML file name inside the run folder, such as <c>geodesic.html</c>.</param>
/// <param name="Chart">The chart.</param>
public sealed record RunFigure(string FileName, GenericChart Chart);

/// <summary>
/// Every figure of a run, built and written the same way by <c>neuralot run</c>, <c>neuralot resume</c> and the
/// notebooks: the geodesic with a time slider, the geodesic at a few times side by side, particle tracks, the map,
/// the velocity field (when phase 2 ran) and the training curves. All of them share one projection.
/// </summary>
public static class RunFigures
{
    /// <summary>The files <see cref="Write(RunOutcome, FigureOptions?, FigureExport?, CancellationToken)"/> writes (velocity
    /// only after phase 2), named in <see cref="RunFiles"/>, whose names the run folder's owner clears when a new run
    /// replaces an old one.</summary>
    public const string GeodesicFile = RunFiles.GeodesicFigure, GeodesicPanelsFile = RunFiles.GeodesicPanelsFigure,
        TracksFile = RunFiles.TracksFigure, MapFile = RunFiles.MapFigure, VelocityFile = RunFiles.VelocityFigure,
        TrainingFile = RunFiles.TrainingFigure, ComparisonFile = RunFiles.ComparisonFigure,
        DigitGeodesicFile = RunFiles.DigitGeodesicFigure, DigitNeighboursFile = RunFiles.DigitNeighboursFigure;

    /// <summary>The figures of a result, in the order they are written.</summary>
    /// <param name="result">The phase-1 result.</param>
    /// <param name="velocity">The phase-2 field, or null.</param>
    /// <param name="options">Figure settings; the projection is fixed once here (the default one when null) and
    /// shared by every figure.</param>
    /// <param name="quadraticComparison">A quadratic-cost result on the same pair (the <c>compare_quadratic</c>
    /// option of a non-quadratic experiment), drawn beside this one; or null.</param>
    /// <param name="images">For image problems (MNIST), held-out source images and real target images: adds the
    /// geodesic as an image grid and the nearest real targets (<see cref="DigitFigures"/>); or null.</param>
    public static IReadOnlyList<RunFigure> Build(TransportResult result, VelocityResult? velocity = null, FigureOptions? options = null,
        TransportResult? quadraticComparison = null, ImageSamples? images = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        options ??= new FigureOptions();
        options = options with { Projection = options.Projection ?? Projection.Default(result) };
        var figures = new List<RunFigure>
        {
            new(GeodesicFile, Figures.Geodesic(result, options)),
            new(GeodesicPanelsFile, Figures.GeodesicPanels(result, options: options)),
            new(TracksFile, Figures.Tracks(result, velocity, options)),
            new(MapFile, Figures.Map(result, options)),
        };
        if (velocity is not null) figures.Add(new(VelocityFile, Figures.Velocity(velocity, result, options: options)));
        if (quadraticComparison is not null)
            figures.Add(new(ComparisonFile, Figures.CompareGeodesics(result, $"cost {result.Cost.Name}", quadraticComparison, "quadratic cost", options)));
        if (images is not null)
        {
            var heading = options.Experiment is { Length: > 0 } experiment ? experiment + ": " : "";
            figures.Add(new(DigitGeodesicFile, DigitFigures.GeodesicGrid(result, images.Source,
                title: $"{heading}geodesic x + t F(x) of {Math.Min(images.Source.shape[0], DigitFigures.DefaultDigits)} held-out images of {images.SourceLabel}")));
            figures.Add(new(DigitNeighboursFile, DigitFigures.NearestTargets(result, images.Source, images.Target,
                title: $"{heading}T(x) beside the nearest of {images.Target.shape[0]} training images of {images.TargetLabel}")));
        }
        figures.Add(new(TrainingFile, Figures.Training(result.History, velocity?.History,
            options.Experiment is { Length: > 0 } name ? $"{name}: training" : null, preconditioned: result.Preconditioner is not null,
            optimalCost: Figures.AnalyticReference(result) is { } analytic ? analytic.W2Squared / 2 : null)));
        return figures;
    }

    /// <summary>Writes the figures of a run into its folder (plotly.js once beside them), and images of each (PNG,
    /// SVG, PDF) when <paramref name="export"/> asks for them.</summary>
    /// <param name="outcome">What a run of <see cref="ExperimentRunner"/> returned.</param>
    /// <param name="options">Figure settings; the experiment name heads the titles unless set.</param>
    /// <param name="export">The image files to write beside each page, or null for HTML only.</param>
    /// <param name="cancellation">Stops before the next figure (with an <see cref="OperationCanceledException"/>).</param>
    /// <returns>The paths written, HTML and images.</returns>
    public static IReadOnlyList<string> Write(RunOutcome outcome, FigureOptions? options = null, FigureExport? export = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        options ??= new FigureOptions();
        using var images = ImageSamples.For(outcome.Config);
        return Write(outcome.Result, outcome.Velocity, outcome.OutputDirectory, options with { Experiment = options.Experiment ?? outcome.Config.Name }, export,
            outcome.QuadraticComparison, images, cancellation);
    }

    /// <summary>Writes the figures of a result into <paramref name="directory"/>.</summary>
    /// <inheritdoc cref="Write(RunOutcome, FigureOptions?, FigureExport?, CancellationToken)"/>
    /// <param name="result">The phase-1 result.</param>
    /// <param name="velocity">The phase-2 field, or null.</param>
    /// <param name="directory">The folder (created when missing).</param>
    /// <param name="options">Figure settings.</param>
    /// <param name="export">The image files to write beside each page, or null for HTML only.</param>
    /// <param name="quadraticComparison">A quadratic-cost result on the same pair to draw beside, or null.</param>
    /// <param name="images">Source and target images of an image problem, or null.</param>
    /// <param name="cancellation">Stops before the next figure (with an <see cref="OperationCanceledException"/>).</param>
    public static IReadOnlyList<string> Write(TransportResult result, VelocityResult? velocity, string directory, FigureOptions? options = null, FigureExport? export = null,
        TransportResult? quadraticComparison = null, ImageSamples? images = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var written = new List<string>();
        cancellation.ThrowIfCancellationRequested();
        foreach (var figure in Build(result, velocity, options, quadraticComparison, images))
        {
            cancellation.ThrowIfCancellationRequested();
            var html = Path.Combine(directory, figure.FileName);
            written.Add(FigureFiles.WriteHtml(figure.Chart, html));
            if (export is not null) written.AddRange(export.Write(figure.Chart, html));
        }
        return written;
    }
}
