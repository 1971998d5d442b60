namespace NeuralOT.Plotting;

/// <summary>
/// Settings shared by the figure builders. Samples come from a generator seeded with <see cref="Seed"/>, so a figure
/// of the same result is drawn the same way every time.
/// </summary>
public sealed record FigureOptions
{
    /// <summary>The 2-D view of the samples; null chooses <see cref="Projection.Default(NeuralOT.Distributions.IDistribution, NeuralOT.Distributions.IDistribution)"/>
    /// (the coordinates in 2-D, the first two principal components of source and target samples in higher dimensions). Pass the same projection to every
    /// figure of a run so that they show the same plane.</summary>
    public Projection? Projection { get; init; }

    /// <summary>A name put before the default titles, such as the experiment's; none when null.</summary>
    public string? Experiment { get; init; }

    /// <summary>Points per sample cloud (geodesic snapshots, background clouds).</summary>
    public int Samples { get; init; } = 1000;

    /// <summary>Particles whose tracks are drawn.</summary>
    public int Tracks { get; init; } = 300;

    /// <summary>Arrows of the map figure.</summary>
    public int Arrows { get; init; } = 100;

    /// <summary>The times at which the velocity field is drawn, one panel each.</summary>
    public IReadOnlyList<double> VelocityTimes { get; init; } = [0, 0.5, 1];

    /// <summary>Grid nodes per side of the velocity arrows (2-D problems).</summary>
    public int GridSize { get; init; } = 15;

    /// <summary>The seed of the samples drawn for the figures.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Checks the ranges; the message names the setting and the fix.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A count is not positive or a time lies outside [0, 1].</exception>
    public void Validate()
    {
        if (Samples < 2) throw new ArgumentOutOfRangeException(nameof(Samples), Samples, "FigureOptions.Samples must be at least 2.");
        if (Tracks < 1) throw new ArgumentOutOfRangeException(nameof(Tracks), Tracks, "FigureOptions.Tracks must be at least 1.");
        if (Arrows < 1) throw new ArgumentOutOfRangeException(nameof(Arrows), Arrows, "FigureOptions.Arrows must be at least 1.");
        if (GridSize < 2) throw new ArgumentOutOfRangeException(nameof(GridSize), GridSize, "FigureOptions.GridSize must be at least 2.");
        if (VelocityTimes.Count == 0 || VelocityTimes.Any(t => !(t >= 0 && t <= 1)))
            throw new ArgumentOutOfRangeException(nameof(VelocityTimes), "FigureOptions.VelocityTimes must hold at least one time, each in [0, 1].");
    }
}
