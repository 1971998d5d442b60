using NeuralOT.Plotting;

namespace NeuralOT.Tests.Plotting;

public class ConvergenceFigureTests
{
    private static readonly ConvergenceTrace[] Traces =
    [
        new("gaussian-2d", "ours", 0, [(1.0, 0.5), (2.0, 0.04)]),
        new("gaussian-2d", "ours", 1, [(1.5, 0.3), (3.0, 0.02)]),
        new("gaussian-2d", "peer", 0, [(2.0, 5.0), (4.0, 0.2)]),
        new("gaussian-10d", "ours", 0, [(4.0, 0.9), (8.0, 0.03)]),
    ];

    [Fact]
    public void APanelPerProblemALinePerSeedOneLegendEntryPerSolverAndTheThresholdsAcrossEachPanel()
    {
        using var figure = new FigureJson(ConvergenceFigure.Create(Traces, [0.1]));

        Assert.Equal("log", figure.Layout.GetProperty("yaxis").GetProperty("type").GetString());
        Assert.Equal("log", figure.Layout.GetProperty("yaxis2").GetProperty("type").GetString());
        var ours = figure.TracesNamed("ours").ToList();
        Assert.Equal(3, ours.Count);
        Assert.Single(ours, t => t.GetProperty("showlegend").GetBoolean());
        Assert.Equal([1.5, 3.0], FigureJson.Values(ours[1], "x"));
        Assert.Equal([0.3, 0.02], FigureJson.Values(ours[1], "y"));
        Assert.Equal("y2", ours[2].GetProperty("yaxis").GetString());
        // The threshold spans each panel's time range, at the threshold.
        var thresholds = figure.TracesNamed("0.1 % (dashed)").ToList();
        Assert.Equal(2, thresholds.Count);
        Assert.Equal([0.0, 4.0], FigureJson.Values(thresholds[0], "x"));
        Assert.Equal([0.0, 8.0], FigureJson.Values(thresholds[1], "x"));
        Assert.Equal([0.1, 0.1], FigureJson.Values(thresholds[1], "y"));
    }

    [Fact]
    public void ANonPositiveErrorIsRefusedNamingTheTrace()
    {
        var error = Assert.Throws<ArgumentException>(() => ConvergenceFigure.Create([new ConvergenceTrace("p", "peer", 2, [(1.0, 0.0)])], []));
        Assert.Contains("peer seed 2 on p", error.Message);
    }
}
