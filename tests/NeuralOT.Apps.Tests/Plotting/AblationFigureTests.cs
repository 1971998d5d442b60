using NeuralOT.Plotting;

namespace NeuralOT.Tests.Plotting;

public class AblationFigureTests
{
    private static readonly AblationRun[] Runs =
    [
        new("gaussian-2d", "static", 0, "l2_uvp %", 0.03), new("gaussian-2d", "static", 1, "l2_uvp %", 0.05),
        new("gaussian-2d", "time", 0, "l2_uvp %", 0.4), new("gaussian-2d", "time", 1, "l2_uvp %", 1.6),
        new("mixture-2d", "static", 0, "W2 error %", 0.1), new("mixture-2d", "time+bidirectional", 0, "W2 error %", 6.4),
    ];

    private static readonly Dictionary<string, double> Targets = new() { ["gaussian-2d"] = 1, ["mixture-2d"] = 5 };

    [Fact]
    public void EverySeedIsADotOverItsVariantAndEachMeanIsABar()
    {
        using var figure = new FigureJson(AblationFigure.Create(Runs, Targets));

        Assert.Equal(2, figure.PanelCount);
        // Variants in order of first appearance: static 0, time 1, time+bidirectional 2.
        Assert.Equal(["static", "time", "time<br>+bidirectional"],
            figure.Layout.GetProperty("xaxis2").GetProperty("ticktext").EnumerateArray().Select(t => t.GetString()));
        var staticSeeds = figure.TracesNamed("static form, one seed");
        Assert.Equal([0.03, 0.05], FigureJson.Values(staticSeeds[0], "y"));
        Assert.Equal([0.0, 0.0], FigureJson.Values(staticSeeds[0], "x"));
        var timeSeeds = figure.TracesNamed("time form, one seed");
        Assert.Equal([1.0, 1.0], FigureJson.Values(timeSeeds[0], "x"));
        Assert.Equal([2.0], FigureJson.Values(timeSeeds[1], "x"));
        Assert.Equal(Runs.Length, figure.Traces.Where(t => t.GetProperty("name").GetString()!.EndsWith("one seed")).Sum(t => FigureJson.Values(t, "y").Length));
        Assert.Equal(1.0, Assert.Single(FigureJson.Values(figure.TracesNamed("time form, mean")[0], "y")), 12);
        // The targets as dashed lines at each problem's level, and the axis is logarithmic.
        Assert.Equal([1.0, 1.0], FigureJson.Values(figure.TracesNamed("target")[0], "y"));
        Assert.Equal([5.0, 5.0], FigureJson.Values(figure.TracesNamed("target")[1], "y"));
        Assert.Equal("log", figure.Layout.GetProperty("yaxis").GetProperty("type").GetString());
        Assert.Equal("W2 error %", figure.Layout.GetProperty("yaxis2").GetProperty("title").GetProperty("text").GetString());
    }

    [Fact]
    public void RunsThatCannotBeDrawnAreRefusedByName()
    {
        var empty = Assert.Throws<ArgumentException>(() => AblationFigure.Create([], Targets));
        Assert.Equal("runs", empty.ParamName);
        var zero = Assert.Throws<ArgumentException>(() =>
            AblationFigure.Create([.. Runs, new AblationRun("gaussian-10d", "time", 2, "l2_uvp %", 0)], Targets));
        Assert.Contains("gaussian-10d time seed 2 has l2_uvp % = 0", zero.Message);
    }
}
