using NeuralOT.Distributions;
using NeuralOT.Solvers;
using Plotly.NET;
using TorchSharp;

namespace NeuralOT.Plotting;

/// <summary>Figures of single objects, for notebook previews: a distribution's samples and the phase-2 loss alone.</summary>
public static class PreviewFigures
{
    /// <summary>A scatter of <paramref name="count"/> samples; d &gt; 2 distributions are shown on their principal components.</summary>
    /// <param name="distribution">The distribution.</param>
    /// <param name="count">How many samples (at least 1).</param>
    /// <param name="seed">The sampling seed.</param>
    public static GenericChart Samples(IDistribution distribution, int count = 1000, ulong seed = 1)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        using var scope = torch.NewDisposeScope();
        var samples = distribution.Sample(count, new torch.Generator(seed));
        var projection = distribution.Dimension == 2 ? Projection.Coordinates(2, 0, 1) : Projection.PrincipalComponents(samples);
        var (x, y) = projection.Apply(samples);
        var note = projection.Description.Length == 0 ? "" : $"<br><sub>view: {projection.Description}</sub>";
        var figure = new FigureBuilder($"{count} samples of {distribution.Description}{note}", 560, 560, FigureBuilder.LegendPlace.Below);
        figure.Panel(1, (0, 1), (0, 1), projection.XLabel, projection.YLabel, Bounds.Of([(x, y)]), equalScale: true);
        figure.Add(Traces.Points(x, y, Palette.Source, 4, 0.6), "samples");
        return figure.Build();
    }

    /// <summary>The phase-2 training loss against the iteration, on a logarithmic axis.</summary>
    /// <param name="history">The phase-2 history.</param>
    public static GenericChart VelocityLoss(VelocityHistory history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var figure = new FigureBuilder("Velocity phase: E|v(x_t, t) - u|²", 640, 380, FigureBuilder.LegendPlace.Right);
        figure.Panel(1, (0, 1), (0, 1), "velocity iteration", "loss", logY: true);
        figure.Add(Traces.Line(history.Entries.Select(e => (double?)e.Iteration).ToArray(),
            history.Entries.Select(e => (double?)e.Loss).ToArray(), Palette.Learned, 1.5), "velocity loss");
        return figure.Build();
    }
}
