using NeuralOT.Plotting;

namespace NeuralOT.Tests.Plotting;

public class HighDimensionFigureTests
{
    private static readonly KnownMapRun[] Runs =
    [
        new(16, 0, 1.0, 118), new(2, 0, 0.05, 63), new(16, 1, 2.0, 118), new(2, 1, 0.07, 63),
    ];

    [Fact]
    public void SeedsAreDotsMeansALineAndReferencesDashedLinesOverTheDimensions()
    {
        var references = new Dictionary<string, IReadOnlyDictionary<int, double>> { ["target"] = new Dictionary<int, double> { [2] = 0.5, [16] = 5, [64] = 10 } };
        using var figure = new FigureJson(HighDimensionFigure.Create(Runs, references));

        // Dimensions in increasing order as categories, whatever the order of the runs.
        Assert.Equal(["2", "16"], figure.Layout.GetProperty("xaxis").GetProperty("ticktext").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("log", figure.Layout.GetProperty("yaxis").GetProperty("type").GetString());
        var seeds = Assert.Single(figure.TracesNamed("ours, one seed"));
        Assert.Equal([1.0, 0.0, 1.0, 0.0], FigureJson.Values(seeds, "x"));
        Assert.Equal([0.06, 1.5], FigureJson.Values(Assert.Single(figure.TracesNamed("ours, mean")), "y").Select(v => Math.Round(v, 12)));
        Assert.Equal([63.0, 118.0], FigureJson.Values(Assert.Single(figure.TracesNamed("identity map (not moving)")), "y"));
        // A reference value for a dimension without runs (64) is left out.
        Assert.Equal([0.5, 5.0], FigureJson.Values(Assert.Single(figure.TracesNamed("target")), "y"));
    }

    [Fact]
    public void ANonPositiveErrorIsRefusedNamingTheRun()
    {
        var error = Assert.Throws<ArgumentException>(() => HighDimensionFigure.Create([new KnownMapRun(8, 2, 0, 80)], new Dictionary<string, IReadOnlyDictionary<int, double>>()));
        Assert.Contains("dimension 8 seed 2", error.Message);
    }
}
