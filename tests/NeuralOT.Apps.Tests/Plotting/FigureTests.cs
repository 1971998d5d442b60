using NeuralOT.Costs;
using NeuralOT.Distributions;
using NeuralOT.Plotting;
using NeuralOT.Solvers;
using NeuralOT.Tests.Solvers;
using TorchSharp;

namespace NeuralOT.Tests.Plotting;

/// <summary>Small trained results shared by the figure tests (a few iterations: the figures' structure, not the
/// solver's accuracy, is under test).</summary>
public sealed class FigureResults : IDisposable
{
    public FigureResults()
    {
        var pair = TestProblems.SmallGaussianPair();
        Gaussian = MinimaxSolver.Solve(pair.Source, pair.Target, QuadraticCost.Instance, new SolverOptions { Iterations = 30, Seed = 1 });
        Velocity = VelocitySolver.Train(Gaussian, new VelocityOptions { Iterations = 30, Seed = 1 });
        PowerCost = MinimaxSolver.Solve(pair.Source, pair.Target, Cost.Power(1.5), new SolverOptions { Iterations = 5, Seed = 1 });
        Bidirectional = MinimaxSolver.Solve(pair.Source, pair.Target, QuadraticCost.Instance,
            new SolverOptions { Iterations = 5, Seed = 1, Bidirectional = new BidirectionalOptions(1, 1e-6) });
        var target3 = new GaussianDistribution([3, 0, -1], new double[,] { { 2, 0.3, 0 }, { 0.3, 1, 0.2 }, { 0, 0.2, 0.5 } });
        ThreeD = MinimaxSolver.Solve(GaussianDistribution.StandardNormal(3), target3, QuadraticCost.Instance, new SolverOptions { Iterations = 5, Seed = 1 });
        ThreeDVelocity = VelocitySolver.Train(ThreeD, new VelocityOptions { Iterations = 5, Seed = 1 });
    }

    public TransportResult Gaussian { get; }
    public VelocityResult Velocity { get; }
    public TransportResult PowerCost { get; }
    public TransportResult Bidirectional { get; }
    public TransportResult ThreeD { get; }
    public VelocityResult ThreeDVelocity { get; }

    public void Dispose()
    {
        Gaussian.Dispose();
        Velocity.Dispose();
        PowerCost.Dispose();
        Bidirectional.Dispose();
        ThreeD.Dispose();
        ThreeDVelocity.Dispose();
    }
}

[Collection(TrainingCollection.Name)]
public class FigureTests(FigureResults results)
{
    private static readonly FigureOptions Small = new() { Samples = 200, Tracks = 50, Arrows = 40, GridSize = 8, Seed = 7 };

    [Fact]
    public void TheGeodesicSliderHasElevenStepsEachShowingTheSnapshotAtItsTime()
    {
        using var figure = new FigureJson(Figures.Geodesic(results.Gaussian, Small));
        var steps = figure.Layout.GetProperty("sliders")[0].GetProperty("steps").EnumerateArray().ToArray();
        Assert.Equal(11, steps.Length);
        Assert.Equal(Enumerable.Range(0, 11).Select(k => (k / 10.0).ToString("0.0#", System.Globalization.CultureInfo.InvariantCulture)),
            steps.Select(s => s.GetProperty("label").GetString()));

        var snapshots = figure.TracesNamed("geodesic μ_t");
        var target = figure.IndexOf(figure.Trace("target samples"));
        Assert.Equal(11, snapshots.Count);
        // The figure's samples are drawn from the options' seed: the same source points, moved to time t.
        using var source = results.Gaussian.Source.Sample(Small.Samples, new torch.Generator(Small.Seed));
        for (var k = 0; k < 11; k++)
        {
            var visible = steps[k].GetProperty("args")[1].EnumerateArray().Select(v => v.GetBoolean()).ToArray();
            Assert.True(visible[target], "the target stays visible at every step");
            Assert.Equal(new[] { figure.IndexOf(snapshots[k]) }, snapshots.Select(figure.IndexOf).Where(i => visible[i]));
            Assert.True(snapshots[k].GetProperty("showlegend").GetBoolean(), "the legend names the snapshot shown at every step");

            using var moved = results.Gaussian.Interpolate(source, k / 10.0);
            var expected = moved[torch.TensorIndex.Colon, 0].data<double>().ToArray();
            var drawn = FigureJson.Values(snapshots[k], "x");
            Assert.Equal(expected.Length, drawn.Length);
            for (var i = 0; i < drawn.Length; i++) Assert.Equal(expected[i], drawn[i], 1e-4);
        }
    }

    [Fact]
    public void TheMapIsOneArrowTracePerPointWithNullSeparators()
    {
        using var figure = new FigureJson(Figures.Map(results.Gaussian, Small));
        var arrows = figure.Trace("x → T(x)");
        var x = FigureJson.Values(arrows, "x");
        var y = FigureJson.Values(arrows, "y");
        Assert.Equal(Small.Arrows * 7, x.Length);
        Assert.Equal(2 * Small.Arrows, x.Count(double.IsNaN));

        // Arrow i runs from x_i to T(x_i): shaft entries 0 and 1 of its block, a gap at 2 and 6, the head meets the tip at 4.
        var generator = new torch.Generator(Small.Seed);
        using var points = results.Gaussian.Source.Sample(Small.Arrows, generator);
        using var mapped = results.Gaussian.Transport(points);
        var tails = points.data<double>().ToArray();
        var tips = mapped.data<double>().ToArray();
        for (var i = 0; i < Small.Arrows; i++)
        {
            var o = 7 * i;
            Assert.True(double.IsNaN(x[o + 2]) && double.IsNaN(x[o + 6]) && double.IsNaN(y[o + 2]) && double.IsNaN(y[o + 6]));
            Assert.Equal(tails[2 * i], x[o], 1e-4);
            Assert.Equal(tails[2 * i + 1], y[o], 1e-4);
            Assert.Equal(tips[2 * i], x[o + 1], 1e-4);
            Assert.Equal(tips[2 * i + 1], y[o + 1], 1e-4);
            Assert.Equal(x[o + 1], x[o + 4]);
        }
    }

    [Fact]
    public void ArrowHeadsAreSymmetricBarbsOfTheirLength()
    {
        // One arrow along (3, 4) (length 5): a head of 35 % would be 1.75, the cap of 0.5 wins. Traces round their
        // coordinates to about six significant digits of the largest, hence the tolerances.
        var trace = Traces.Arrows([1], [2], [4], [6], maxHead: 0.5, "#000000");
        var x = ((IEnumerable<double?>)trace.GetPropertyValue("x")).ToArray();
        var y = ((IEnumerable<double?>)trace.GetPropertyValue("y")).ToArray();
        foreach (var barb in new[] { 3, 5 })
        {
            double dx = x[barb]!.Value - 4, dy = y[barb]!.Value - 6;
            Assert.Equal(0.5, Math.Sqrt(dx * dx + dy * dy), 1e-4);
            // Each barb points back along the shaft at 25 degrees from it.
            var cosine = (dx * -3 + dy * -4) / (0.5 * 5);
            Assert.Equal(Math.Cos(25 * Math.PI / 180), cosine, 1e-4);
        }
        // The two barbs mirror each other across the shaft.
        var cross3 = -3 * (y[3]!.Value - 6) - -4 * (x[3]!.Value - 4);
        var cross5 = -3 * (y[5]!.Value - 6) - -4 * (x[5]!.Value - 4);
        Assert.Equal(-cross3, cross5, 1e-4);
        Assert.True(Math.Abs(cross3) > 0.1, "the barbs leave the shaft");
    }

    [Fact]
    public void TracksRunFromTheSourceSamplesToTheirImages()
    {
        using var figure = new FigureJson(Figures.Tracks(results.Gaussian, results.Velocity, Small));
        var paths = FigureJson.Values(figure.Trace("path x → T(x)"), "x");
        Assert.Equal(3 * Small.Tracks, paths.Length);
        Assert.Equal(Small.Tracks, FigureJson.Values(figure.Trace("start x ~ μ0"), "x").Length);
        Assert.Equal(Small.Tracks, FigureJson.Values(figure.Trace("end T(x)"), "x").Length);
        // Flow lines: one polyline of VelocityResult.DefaultSteps + 1 points per particle, for at most 40 particles.
        var flow = figure.Traces.Single(t => t.GetProperty("name").GetString()!.StartsWith("flow of learned v", StringComparison.Ordinal));
        Assert.Equal(Math.Min(40, Small.Tracks) * (VelocityResult.DefaultSteps + 2), FigureJson.Values(flow, "x").Length);
    }

    [Fact]
    public void TheVelocityFigureShowsTheLearnedFieldBesideTheAnalyticOneForAGaussianPair()
    {
        using var figure = new FigureJson(Figures.Velocity(results.Velocity, results.Gaussian, options: Small));
        Assert.Equal(2 * Small.VelocityTimes.Count, figure.PanelCount);
        Assert.Equal(Small.VelocityTimes.Count, figure.TracesNamed("learned v(x, t)").Count);
        Assert.Equal(Small.VelocityTimes.Count, figure.TracesNamed("analytic v*(x, t)").Count);
        // Learned and analytic arrows stand on the same grid nodes at each time.
        for (var k = 0; k < Small.VelocityTimes.Count; k++)
        {
            var learned = FigureJson.Values(figure.TracesNamed("learned v(x, t)")[k], "x");
            var analytic = FigureJson.Values(figure.TracesNamed("analytic v*(x, t)")[k], "x");
            Assert.True(learned.Length > 0 && learned.Length % 7 == 0);
            Assert.Equal(learned.Where((_, i) => i % 7 == 0), analytic.Where((_, i) => i % 7 == 0));
        }
    }

    [Fact]
    public void AnAnalyticFieldIsDrawnOnlyWhenOneExists()
    {
        Assert.NotNull(Figures.AnalyticReference(results.Gaussian));
        Assert.Null(Figures.AnalyticReference(results.PowerCost));
    }

    [Fact]
    public void AboveTwoDimensionsEveryFigureUsesTheProjectionAndVelocityArrowsStandOnSamples()
    {
        var projection = Projection.Parse("coords:3,1", results.ThreeD.Source, results.ThreeD.Target);
        var options = Small with { Projection = projection };
        using var velocity = new FigureJson(Figures.Velocity(results.ThreeDVelocity, results.ThreeD, options: options));
        Assert.Equal("x3", velocity.Layout.GetProperty("xaxis").GetProperty("title").GetProperty("text").GetString());
        Assert.Equal("x1", velocity.Layout.GetProperty("yaxis").GetProperty("title").GetProperty("text").GetString());
        Assert.All(velocity.TracesNamed("learned v(x, t)"), t => Assert.Equal(7 * Small.Arrows, FigureJson.Values(t, "x").Length));

        // The default view of a 3-D problem is the principal-component plane, named on the axes.
        using var map = new FigureJson(Figures.Map(results.ThreeD, Small));
        Assert.StartsWith("PC1", map.Layout.GetProperty("xaxis").GetProperty("title").GetProperty("text").GetString());
    }

    /// <summary>A long noisy history: each curve drawn raw and as its moving average under one legend entry, and the
    /// optimal cost as a line on the objective and W_hat panels (not for a preconditioned run).</summary>
    [Fact]
    public void LongCurvesAreSmoothedAndTheOptimalCostIsALine()
    {
        var noise = new Random(3);
        var rows = Enumerable.Range(1, 400).Select(i =>
            FormattableString.Invariant($"{i},{2 + noise.NextDouble()},{2 + noise.NextDouble()},{2.5 + noise.NextDouble() - 0.5},{0.01 * i}"));
        var history = TrainingHistory.FromCsv(TrainingHistory.CsvHeader + "\n" + string.Join("\n", rows) + "\n");

        using var figure = new FigureJson(Figures.Training(history, optimalCost: 2.5));
        var wHat = figure.TracesNamed("W_hat");
        Assert.Equal(2, wHat.Count);
        var smooth = FigureJson.Values(wHat[0], "y");
        var raw = FigureJson.Values(wHat[1], "y");
        Assert.Equal(history.Entries.Select(e => e.WHat), raw, new ToleranceComparer(1e-5));
        Assert.Equal(raw.Length, smooth.Length);
        // Uniform noise (standard deviation 0.29) averaged over 17 points: about a quarter of the raw deviation.
        static double Deviation(double[] v) => Math.Sqrt(v.Select(x => (x - v.Average()) * (x - v.Average())).Average());
        Assert.True(Deviation(smooth) < 0.5 * Deviation(raw), $"smoothed {Deviation(smooth):F3}, raw {Deviation(raw):F3}");
        Assert.True(wHat[0].GetProperty("showlegend").GetBoolean(), "the legend shows the average's line");
        Assert.False(wHat[1].GetProperty("showlegend").GetBoolean());
        var lines = figure.TracesNamed("optimal cost");
        Assert.Equal(2, lines.Count);
        Assert.All(lines, line => Assert.All(FigureJson.Values(line, "y"), y => Assert.Equal(2.5, y)));
        // One legend per panel, beside it, listing that panel's curves: the line appears in both.
        Assert.Equal(["legend", "legend2"], lines.Select(l => l.GetProperty("legend").GetString()));
        Assert.All(lines, line => Assert.True(line.GetProperty("showlegend").GetBoolean()));
        Assert.All(wHat, t => Assert.Equal("legend2", t.GetProperty("legend").GetString()));
        Assert.True(figure.Layout.GetProperty("legend2").GetProperty("y").GetDouble() < figure.Layout.GetProperty("legend").GetProperty("y").GetDouble());

        using var preconditioned = new FigureJson(Figures.Training(history, preconditioned: true, optimalCost: 2.5));
        Assert.Empty(preconditioned.TracesNamed("optimal cost"));
    }

    [Fact]
    public void TheMovingAverageIsCentredAndSkipsMissingValues()
    {
        Assert.Equal([1.5, 2, 3, 3.5], Figures.MovingAverage([1, 2, 3, 4], 3));
        Assert.Equal([1.0, 2, 3, 4], Figures.MovingAverage([1, 2, 3, 4], 1));
        Assert.Equal([1.0, 2, 3, 3], Figures.MovingAverage([1, null, 3, double.NaN], 3));
        Assert.Equal([null, null], Figures.MovingAverage([null, null], 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Figures.MovingAverage([1.0], 2));
    }

    [Fact]
    public void TrainingCurvesShowBothPlayersWHatAndThePhaseTwoLoss()
    {
        using var plain = new FigureJson(Figures.Training(results.Gaussian.History));
        Assert.Equal(2, plain.PanelCount);
        Assert.Equal(results.Gaussian.History.Entries.Select(e => e.WHat), FigureJson.Values(plain.Trace("W_hat"), "y"), new ToleranceComparer(1e-5));
        Assert.Equal(results.Gaussian.History.Entries.Count, FigureJson.Values(plain.Trace("critic objective"), "y").Length);
        Assert.Equal(results.Gaussian.History.Entries.Count, FigureJson.Values(plain.Trace("map objective"), "y").Length);

        using var withVelocity = new FigureJson(Figures.Training(results.Gaussian.History, results.Velocity.History));
        Assert.Equal(3, withVelocity.PanelCount);
        Assert.Equal("log", withVelocity.Layout.GetProperty("yaxis3").GetProperty("type").GetString());
        Assert.Equal(results.Velocity.History.Entries.Count, FigureJson.Values(withVelocity.Trace("velocity loss"), "y").Length);

        using var bidirectional = new FigureJson(Figures.Training(results.Bidirectional.History));
        Assert.Equal(3, bidirectional.PanelCount);
        Assert.Equal(results.Bidirectional.History.Entries.Select(e => e.WHatReverse!.Value),
            FigureJson.Values(bidirectional.Trace("W_hat_ba (μ1 → μ0)"), "y"), new ToleranceComparer(1e-5));
        Assert.Equal(results.Bidirectional.History.Entries.Count, FigureJson.Values(bidirectional.Trace("cycle error"), "y").Length);
    }

    [Fact]
    public void CompareGeodesicsMovesBothPanelsWithOneSlider()
    {
        using var figure = new FigureJson(Figures.CompareGeodesics(results.PowerCost, "power cost p = 1.5", results.Gaussian, "quadratic cost", Small));
        Assert.Equal(2, figure.PanelCount);
        var steps = figure.Layout.GetProperty("sliders")[0].GetProperty("steps").EnumerateArray().ToArray();
        Assert.Equal(11, steps.Length);
        var snapshots = figure.TracesNamed("geodesic μ_t").Select(figure.IndexOf).ToArray();
        Assert.Equal(22, snapshots.Length);
        foreach (var step in steps)
        {
            var visible = step.GetProperty("args")[1].EnumerateArray().Select(v => v.GetBoolean()).ToArray();
            Assert.Equal(2, snapshots.Count(i => visible[i]));
            Assert.Equal(1, snapshots.Count(i => visible[i] && figure.Traces[i].GetProperty("showlegend").GetBoolean()));
        }
        // It opens at t = 0.5: at t = 0 both panels show the same source samples.
        Assert.Equal(5, figure.Layout.GetProperty("sliders")[0].GetProperty("active").GetInt32());
        Assert.Equal(new[] { snapshots[5], snapshots[16] }, snapshots.Where(i => figure.Traces[i].GetProperty("visible").GetBoolean()));
        var annotations = figure.Layout.GetProperty("annotations").EnumerateArray().Select(a => a.GetProperty("text").GetString()).ToArray();
        Assert.Equal(new[] { "power cost p = 1.5", "quadratic cost" }, annotations);

        Assert.Throws<ArgumentException>(() => Figures.CompareGeodesics(results.Gaussian, "a", results.ThreeD, "b"));
    }

    [Fact]
    public void BadOptionsAreRefusedWithTheSettingNamed()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Figures.Geodesic(results.Gaussian, Small with { Samples = 1 }));
        Assert.Contains("Samples", error.Message);
        var times = Assert.Throws<ArgumentOutOfRangeException>(() => Figures.Velocity(results.Velocity, results.Gaussian, options: Small with { VelocityTimes = [0, 1.5] }));
        Assert.Contains("VelocityTimes", times.Message);
        var projection = Assert.Throws<ArgumentException>(() => Figures.Map(results.Gaussian, Small with { Projection = Projection.Coordinates(3, 0, 1) }));
        Assert.Contains("dimension", projection.Message);
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= tolerance * Math.Max(1, Math.Abs(a));

        public int GetHashCode(double value) => 0;
    }
}
