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
        var options = Assert.Throws<InvalidOptionException>(() => new SolverOptions { HeldOut = new HeldOutOptions { Fraction = fraction } }.Validate());
        // The library names the property; a config names the key (ExperimentConfigTests).
        Assert.StartsWith("SolverOptions.HeldOut.Fraction = ", options.Message);
        Assert.Contains("turn the guard off", options.Message);
    }

    [Fact]
    public void TooFewRowsToHoldOutAreRefusedWithTheFix()
    {
        var error = Assert.Throws<ArgumentException>(() => NumberedRows(3).Split(0.1, new Generator(1)));
        Assert.Contains("3 rows", error.Message);
        Assert.Contains("turn the held-out split off", error.Message);
    }

    [Fact]
    public void DataTooSmallToHoldOutEnoughRowsTrainOnEveryRow()
    {
        // 490 rows hold out 49 at the default fraction, below the minimum of 50: the guard stands aside.
        var generator = new Generator(3);
        var pair = TestProblems.SmallGaussianPair();
        using var rows = pair.Target.Sample(490, generator);
        var small = new EmpiricalDistribution(TestProblems.ToRows(rows), "490 rows");
        using var guarded = MinimaxSolver.Solve(pair.Source, small, QuadraticCost.Instance, Short(5, new HeldOutOptions()));
        using var unguarded = MinimaxSolver.Solve(pair.Source, small, QuadraticCost.Instance, Short(5, heldOut: null));
        Assert.Null(guarded.HeldOut);
        Assert.Equal(TestProblems.Weights(unguarded), TestProblems.Weights(guarded));
    }

    // The constant schedule makes the first k iterations of a run the same whatever its budget.
    private static SolverOptions Short(int iterations, HeldOutOptions? heldOut) => new()
    {
        Iterations = iterations, BatchSize = 64, Seed = 4, HistoryInterval = 1, HeldOut = heldOut, Schedule = LearningRateSchedule.Constant,
        MapNetwork = new Networks.NetworkOptions(Width: 16), CriticNetwork = new Networks.NetworkOptions(Width: 16),
    };

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
        var (source, target) = TestProblems.SmallDataPair();
        using var off = MinimaxSolver.Solve(source, target, QuadraticCost.Instance, Short(20, heldOut: null));
        using var sampler = MinimaxSolver.Solve(new SamplerOver(source), new SamplerOver(target), QuadraticCost.Instance, Short(20, new HeldOutOptions()));
        Assert.Null(off.HeldOut);
        Assert.Null(sampler.HeldOut);
        Assert.Equal(TestProblems.Weights(off), TestProblems.Weights(sampler));
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
        Assert.Equal(TestProblems.Weights(unguarded), TestProblems.Weights(guarded));
        Assert.DoesNotContain("held-out", guarded.ExitMessage);
    }

    [Fact]
    public void AnExcursionIsAValueAboveTheFactorTimesTheMedianOfTheAcceptedOnes()
    {
        Assert.False(HeldOutMonitor.IsExcursion(100, [1, 2], 2));           // too few accepted values to have a level
        Assert.False(HeldOutMonitor.IsExcursion(4.0, [1, 2, 3], 2));        // median 2: 4 is not above 2 x 2
        Assert.True(HeldOutMonitor.IsExcursion(4.01, [1, 2, 3], 2));
        Assert.True(HeldOutMonitor.IsExcursion(5.1, [1, 2, 3, 100], 2));    // median 2.5, an outlier among them does not move it
        Assert.False(HeldOutMonitor.IsExcursion(4.9, [1, 2, 3, 100], 2));
        Assert.True(HeldOutMonitor.IsExcursion(double.NaN, [1], 2));        // a non-finite score always is, once there is a state to go back to
        Assert.False(HeldOutMonitor.IsExcursion(double.NaN, [], 2));
    }

    [Fact]
    public void EvaluationsLeaveTrainingAloneAndAnExcursionPutsTheLastAcceptedNetworksBack()
    {
        var (source, target) = TestProblems.SmallDataPair();
        using var probe = tensor(new double[,] { { 0, 0 }, { 1, -1 }, { -2, 0.5 } }, float64);
        TransportResult Run(HeldOutOptions heldOut, Dictionary<int, double[]>? seen = null) =>
            MinimaxSolver.Solve(source, target, QuadraticCost.Instance, Short(60, heldOut),
                hooks: seen is null ? null : new TrainingHooks(5, state => seen[state.IterationsCompleted] = state.Transport(probe).data<double>().ToArray()));

        // Reported but not acted on, the evaluations do not change a single step: the weights are those of a run
        // that never finds an excursion.
        using var reportOnly = Run(new HeldOutOptions { Interval = 5, ExcursionFactor = 1.0001, Rollback = false });
        using var never = Run(new HeldOutOptions { Interval = 5, ExcursionFactor = 1e9 });
        Assert.Equal(TestProblems.Weights(never), TestProblems.Weights(reportOnly));
        Assert.Equal(0, never.HeldOut!.Excursions);
        Assert.True(reportOnly.HeldOut!.Excursions > 0);
        Assert.Equal(60, reportOnly.HeldOut.SelectedIteration);

        // With a factor barely above 1 every evaluation above the median is an excursion and is rolled back: the runs
        // agree up to the first excursion and differ after it.
        var seen = new Dictionary<int, double[]>();
        using var rolledBack = Run(new HeldOutOptions { Interval = 5, ExcursionFactor = 1.0001 }, seen);
        var report = rolledBack.HeldOut!;
        var first = report.Evaluations.First(e => e.Excursion).Iteration;
        Assert.Equal(reportOnly.HeldOut.Evaluations.TakeWhile(e => e.Iteration <= first), report.Evaluations.TakeWhile(e => e.Iteration <= first));
        Assert.NotEqual(TestProblems.Weights(reportOnly), TestProblems.Weights(rolledBack));
        Assert.Contains("rolled back", rolledBack.ExitMessage);

        // An excursion at the end is rolled back too, and the result then holds the networks of the last accepted
        // evaluation, bit for bit. With the constant schedule a run stopped at the first excursion takes the same steps
        // as the longer run up to there, so its end is that excursion. Its map is averaged over a share of its
        // shorter budget, so it keeps the longer run's averaging horizon.
        var stopped = first;
        using var endsInExcursion = MinimaxSolver.Solve(source, target, QuadraticCost.Instance,
            Short(stopped, new HeldOutOptions { Interval = 5, ExcursionFactor = 1.0001 }) with { MapAveraging = (double)new SolverOptions().AveragingHorizon(60) / stopped });
        var endReport = endsInExcursion.HeldOut!;
        Assert.True(endReport.Last.Excursion);
        var lastAccepted = endReport.Evaluations.Last(e => !e.Excursion).Iteration;
        Assert.Equal(lastAccepted, endReport.SelectedIteration);
        Assert.Equal(seen[lastAccepted], endsInExcursion.Transport(probe).data<double>().ToArray());
        Assert.Contains($"the networks of iteration {lastAccepted} are kept", endsInExcursion.ExitMessage);
    }

    [Fact]
    public void AGuardedRunIsDeterministic()
    {
        var (source, target) = TestProblems.SmallDataPair();
        var options = Short(30, new HeldOutOptions { Interval = 10 });
        using var first = MinimaxSolver.Solve(source, target, QuadraticCost.Instance, options);
        using var second = MinimaxSolver.Solve(source, target, QuadraticCost.Instance, options);
        Assert.Equal(first.HeldOut!.Evaluations, second.HeldOut!.Evaluations);
        Assert.Equal(TestProblems.Weights(first), TestProblems.Weights(second));
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
        var custom = Parse("""{ "held_out": { "fraction": 0.2, "interval": 50, "rollback": false, "excursion_factor": 3 } }""");
        Assert.Equal(new HeldOutOptions { Fraction = 0.2, Interval = 50, Rollback = false, ExcursionFactor = 3 }, custom.Solver.HeldOut);
        Assert.Equal(custom.Solver.HeldOut, ExperimentConfig.Parse(custom.ToJson()).Solver.HeldOut);
        Assert.Null(ExperimentConfig.Parse(Parse("""{ "held_out": false }""").ToJson()).Solver.HeldOut);

        var misspelt = Assert.Throws<ConfigException>(() => Parse("""{ "held_out": { "fractoin": 0.2 } }"""));
        Assert.Contains("fractoin", misspelt.Message);
        var wrongType = Assert.Throws<ConfigException>(() => Parse("""{ "held_out": 0.1 }"""));
        Assert.Contains("held_out", wrongType.Message);
    }
}
