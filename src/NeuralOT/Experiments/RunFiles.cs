namespace NeuralOT.Experiments;

/// <summary>
/// The names of the files in a run folder, in one place: the data files <see cref="ExperimentRunner"/> writes and the
/// figures the plotting library draws (as HTML, with a PNG twin on request, and plotly.js once beside them). The
/// runner clears exactly these files when a new run replaces an old one; a user's own files stay.
/// </summary>
public static class RunFiles
{
    /// <summary>The fully resolved configuration.</summary>
    public const string Config = "config.json";

    /// <summary>Phase 1's training history.</summary>
    public const string History = "history.csv";

    /// <summary>The metrics, written last and only when every phase finished.</summary>
    public const string Metrics = "metrics.json";

    /// <summary>The held-out guard's evaluations (runs on finite data sets only): iteration, energy distance, critic gap.</summary>
    public const string HeldOut = "held_out.csv";

    /// <summary>Phase 1's checkpoint.</summary>
    public const string Checkpoint = "checkpoint.ckpt";

    /// <summary>With <c>compare_quadratic</c>: the companion quadratic solve's checkpoint and history.</summary>
    public const string QuadraticCheckpoint = "quadratic_checkpoint.ckpt", QuadraticHistory = "quadratic_history.csv";

    /// <summary>Phase 2's checkpoint and history.</summary>
    public const string VelocityCheckpoint = "velocity_checkpoint.ckpt", VelocityHistory = "velocity_history.csv";

    /// <summary>The figures (HTML pages) a run may have.</summary>
    public const string GeodesicFigure = "geodesic.html", GeodesicPanelsFigure = "geodesic_panels.html", TracksFigure = "tracks.html",
        MapFigure = "map.html", VelocityFigure = "velocity.html", TrainingFigure = "training.html",
        ComparisonFigure = "geodesic_comparison.html", DigitGeodesicFigure = "digit_geodesic.html", DigitNeighboursFigure = "digit_neighbours.html";

    /// <summary>Every data file a run may write.</summary>
    public static IReadOnlyList<string> DataFiles { get; } =
        [Config, History, Metrics, HeldOut, Checkpoint, VelocityHistory, VelocityCheckpoint, QuadraticCheckpoint, QuadraticHistory];

    /// <summary>Every figure page a run may have.</summary>
    public static IReadOnlyList<string> Figures { get; } =
        [GeodesicFigure, GeodesicPanelsFigure, TracksFigure, MapFigure, VelocityFigure, TrainingFigure, ComparisonFigure, DigitGeodesicFigure, DigitNeighboursFigure];

    /// <summary>The SHA-256 (hex) of the run folder's <see cref="Config"/>: checkpoints record it, so that a config
    /// edited after they were saved is refused rather than silently used with networks trained for another one.</summary>
    /// <param name="directory">The run folder.</param>
    public static string ConfigSha256(string directory) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(directory, Config))));

    /// <summary>The extensions of a figure's image renderings beside its page.</summary>
    public static IReadOnlyList<string> ImageExtensions { get; } = [".png", ".svg", ".pdf"];

    /// <summary>Whether <paramref name="fileName"/> belongs to a run's figures: one of <see cref="Figures"/>, its image
    /// renderings (PNG, SVG, PDF), or the plotly.js copy (<c>plotly-X.Y.Z.min.js</c>) and its licence notice written beside them.</summary>
    public static bool IsFigureFile(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        return Figures.Contains(fileName)
               || (ImageExtensions.Contains(Path.GetExtension(fileName)) && Figures.Contains(Path.ChangeExtension(fileName, ".html")))
               || (fileName.StartsWith("plotly-", StringComparison.Ordinal)
                   && (fileName.EndsWith(".min.js", StringComparison.Ordinal) || fileName.EndsWith(".min.js.LICENSE.txt", StringComparison.Ordinal)));
    }
}
