using NeuralOT.Costs;
using NeuralOT.Distributions;
using NeuralOT.Experiments;
using NeuralOT.Solvers;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Tests.Solvers;

/// <summary>The held-out guard for finite data sets (<see cref="HeldOutOptions"/>): the split, the choice of the kept
/// networks, and that it leaves samplers and a guard-off run exactly as they were.</summary>
[Collection(TrainingCollection.Name)]
public class HeldOutGuardTests
{
    // Row i is (i, -2i): every row is distinct and its first entry names it.
    private static EmpiricalDistribution NumberedRows(int rows) =>
        new(Rows(rows, i => [i, -2.0 * i]), $"{rows} numbered rows");

    private static double[,] Rows(int count, Func<int, double[]> row)
    {
        var first = row(0);
        var data = new double[count, first.Length];
        for (var i = 0; i < count; i++)
        {
            var values = row(i);
            for (var j = 0; j < values.Length; j++) data[i, j] = values[j];
        }
        return data;
    }

    private static long[] RowNumbers(EmpiricalDistribution part)
    {
        using var rows = part.Rows();
        return rows.select(1, 0).to(ScalarType.Int64).data<long>().ToArray();
    }

    [Fact]
    public void TheSplitIsDisjointCoversEveryRowAndDependsOnlyOnTheGenerator()
    {
        var data = NumberedRows(1000);
        var (training, heldOut) = data.Split(0.1, new Generator(5));
        var trainingRows = RowNumbers(training);
        var heldOutRows = RowNumbers(heldOut);
        Assert.Equal(100, heldOutRows.Length);
        Assert.Equal(900, trainingRows.Length);
        Assert.Empty(trainingRows.Intersect(heldOutRows));
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (long)i), trainingRows.Concat(heldOutRows).Order());
        // Both parts keep the original order, and the held-out rows are spread over the data, not its head.
        Assert.Equal(trainingRows.Order(), trainingRows);
        Assert.True(heldOutRows.Max() - heldOutRows.Min() > 500, $"held-out rows span {heldOutRows.Min()}..{heldOutRows.Max()}");

        var (_, again) = data.Split(0.1, new Generator(5));
        Assert.Equal(heldOutRows, RowNumbers(again));
        var (_, other) = data.Split(0.1, new Generator(6));
        Assert.NotEqual(heldOutRows, RowNumbers(other));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.6)]
    [InlineData(double.NaN)]
    public void AFractionOutsideTheRangeIsRefusedWithTheFix(double fraction)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => NumberedRows(100).Split(fraction, new Generator(1)));
        Assert.Contains("(0, 0.5]", error.Message);
        var options = Assert.Throws<ArgumentOutOfRangeException>(() => new SolverOptions { HeldOut = new HeldOutOptions { Fraction = fraction } }.Validate());
        Assert.Contains("solver.held_out.fraction", options.Message);
        Assert.Contains("\"held_out\": false", options.Message);
    }

    [Fact]
    public void TooFewRowsToHoldOutAreRefusedWithTheFix()
    {
        var error = Assert.Throws<ArgumentException>(() => NumberedRows(3).Split(0.1, new Generator(1)));
        Assert.Contains("3 rows", error.Message);
        Assert.Contains("turn the held-out split off", error.Message);
    }

    private static SolverOptions Short(int iterations, HeldOutOptions? heldOut) => new()
    {
        Iterations = iterations, BatchSize = 64, Seed = 4, HistoryInterval = 1, HeldOut = heldOut,
        MapNetwork = new Networks.NetworkOptions(Width: 16), CriticNetwork = new Networks.NetworkOptions(Width: 16),
    };

    private static float[] Weights(TransportResult result) =>
        result.Map.parameters().Concat(result.Critic.parameters()).SelectMany(p => p.detach().data<float>().ToArray()).ToArray();

    private static (EmpiricalDistribution Source, EmpiricalDistribution Target) SmallData()
    {
        var generator = new Generator(11);
        var pair = TestProblems.SmallGaussianPair();
        using var source = pair.Source.Sample(400, generator);
        using var target = pair.Target.Sample(400, generator);
        return (new EmpiricalDistribution(To2D(source), "source rows"), new EmpiricalDistribution(To2D(target), "target rows"));
    }

    private static double[,] To2D(Tensor rows)
    {
        var values = rows.data<double>().ToArray();
        var d = (int)rows.shape[1];
        return Rows(values.Length / d, i => values.Skip(i * d).Take(d).ToArray());
    }

    /// <summary>A sampler over the same rows that is not an <see cref="EmpiricalDistribution"/>: the guard must not
    /// see it as finite data.</summary>
    private sealed class SamplerOver(IDistribution inner) : IDistribution
    {
        public int Dimension => inner.Dimension;
        public string Description => inner.Description;
        public Tensor Sample(int count, Generator generator) => inner.Sample(count, generator);
    }

    [Fact]
    public void WithTheGuardOffFiniteDataTrainExactlyAsASamplerOverTheSameRows()
    {
        var (source, target) = SmallData();
        using var off = MinimaxSolver.Solve(source, target, QuadraticCost.Instance, Short(20, heldOut: null));
        using var sampler = MinimaxSolver.Solve(new SamplerOver(source), new SamplerOver(target), QuadraticCost.Instance, Short(20, new HeldOutOptions()));
        Assert.Null(off.HeldOut);
        Assert.Null(sampler.HeldOut);
        Assert.Equal(Weights(off), Weights(sampler));
        Assert.Equal(off.History.ToCsv().Split('\n').Select(l => string.Join(',', l.Split(',').SkipLast(1))),
            sampler.History.ToCsv().Split('\n').Select(l => string.Join(',', l.Split(',').SkipLast(1))));
    }

    [Fact]
    public void SamplersAreNeverSplitAndTrainAsWithoutTheGuard()
    {
        var pair = TestProblems.SmallGaussianPair();
        using var guarded = MinimaxSolver.Solve(pair.Source, pair.Target, QuadraticCost.Instance, Short(20, new HeldOutOptions()));
        using var unguarded = MinimaxSolver.Solve(pair.Source, pair.Target, QuadraticCost.Instance, Short(20, heldOut: null));
        Assert.Null(guarded.HeldOut);
        Assert.Equal(Weights(unguarded), Weights(guarded));
        Assert.DoesNotContain("held-out", guarded.ExitMessage);
    }

    [Fact]
    public void TheResultKeepsTheNetworksOfTheEvaluationWithTheLowestHeldOutEnergyDistance()
    {
        var (source, target) = SmallData();
        // A constant, large learning rate keeps training noisy, so the best evaluation is not simply the last one.
        var options = Short(60, new HeldOutOptions { Interval = 5 }) with { Schedule = LearningRateSchedule.Constant, MapLearningRate = 2e-2, CriticLearningRate = 2e-2 };
        using var probe = tensor(new double[,] { { 0, 0 }, { 1, -1 }, { -2, 0.5 } }, float64);
        var mapsSeen = new Dictionary<int, double[]>();
        var hooks = new TrainingHooks(5, state => mapsSeen[state.IterationsCompleted] = state.Transport(probe).data<double>().ToArray());
        using var result = MinimaxSolver.Solve(source, target, QuadraticCost.Instance, options, hooks: hooks);

        var report = Assert.IsType<HeldOutReport>(result.HeldOut);
        Assert.Equal([5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60], report.Evaluations.Select(e => e.Iteration));
        Assert.Equal(40, report.SourceHeldOutRows);
        Assert.Equal(40, report.TargetHeldOutRows);
        var lowest = report.Evaluations.MinBy(e => e.EnergyDistance)!;
        Assert.Equal(lowest.Iteration, report.BestIteration);
        Assert.Equal(report.BestIteration, report.SelectedIteration);
        Assert.NotEqual(60, report.SelectedIteration);
        Assert.Contains($"kept the networks of iteration {report.SelectedIteration}", result.ExitMessage);
        // The map the result holds is the map of that iteration, bit for bit.
        Assert.Equal(mapsSeen[report.SelectedIteration], result.Transport(probe).data<double>().ToArray());

        // keep_best = false reports the same evaluations and keeps the last networks.
        using var last = MinimaxSolver.Solve(source, target, QuadraticCost.Instance, options with { HeldOut = new HeldOutOptions { Interval = 5, KeepBest = false } });
        Assert.Equal(report.Evaluations, last.HeldOut!.Evaluations);
        Assert.Equal(60, last.HeldOut.SelectedIteration);
        Assert.NotEqual(mapsSeen[report.SelectedIteration], last.Transport(probe).data<double>().ToArray());
    }

    [Fact]
    public void AGuardedRunIsDeterministic()
    {
        var (source, target) = SmallData();
        var options = Short(30, new HeldOutOptions { Interval = 10 });
        using var first = MinimaxSolver.Solve(source, target, QuadraticCost.Instance, options);
        using var second = MinimaxSolver.Solve(source, target, QuadraticCost.Instance, options);
        Assert.Equal(first.HeldOut!.Evaluations, second.HeldOut!.Evaluations);
        Assert.Equal(Weights(first), Weights(second));
    }

    [Fact]
    public void ConfigsTurnTheGuardOffSetItsFieldsAndWriteItBack()
    {
        const string pair = """
            "source": { "type": "gaussian", "mean": [0, 0], "covariance": [[1, 0], [0, 1]] },
            "target": { "type": "gaussian", "mean": [3, 3], "covariance": [[1, 0], [0, 1]] },
            "cost": { "type": "quadratic" }
            """;
        ExperimentConfig Parse(string solver) => ExperimentConfig.Parse($$"""{ {{pair}}, "solver": {{solver}} }""");

        Assert.Equal(new HeldOutOptions(), ExperimentConfig.Parse($$"""{ {{pair}} }""").Solver.HeldOut);
        Assert.Null(Parse("""{ "held_out": false }""").Solver.HeldOut);
        Assert.Equal(new HeldOutOptions(), Parse("""{ "held_out": true }""").Solver.HeldOut);
        var custom = Parse("""{ "held_out": { "fraction": 0.2, "interval": 50, "keep_best": false } }""");
        Assert.Equal(new HeldOutOptions { Fraction = 0.2, Interval = 50, KeepBest = false }, custom.Solver.HeldOut);
        Assert.Equal(custom.Solver.HeldOut, ExperimentConfig.Parse(custom.ToJson()).Solver.HeldOut);
        Assert.Null(ExperimentConfig.Parse(Parse("""{ "held_out": false }""").ToJson()).Solver.HeldOut);

        var misspelt = Assert.Throws<ConfigException>(() => Parse("""{ "held_out": { "fractoin": 0.2 } }"""));
        Assert.Contains("fractoin", misspelt.Message);
        var wrongType = Assert.Throws<ConfigException>(() => Parse("""{ "held_out": 0.1 }"""));
        Assert.Contains("held_out", wrongType.Message);
    }
}
