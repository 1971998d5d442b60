using NeuralOT.Checkpoints;
using NeuralOT.Costs;
using NeuralOT.Experiments;
using NeuralOT.Solvers;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Tests.Solvers;

/// <summary>The running average of the map's weights (<see cref="SolverOptions.MapAveraging"/>): it never changes a
/// training step, it is the documented average of the iterates, and checkpoints keep it.</summary>
[Collection(TrainingCollection.Name)]
public class MapAveragingTests
{
    private static SolverOptions Short(int iterations, double averaging) => new()
    {
        Iterations = iterations, BatchSize = 64, Seed = 3, MapAveraging = averaging,
        MapNetwork = new Networks.NetworkOptions(Width: 16), CriticNetwork = new Networks.NetworkOptions(Width: 16),
    };

    /// <summary>The average only reads the trained weights: with and without it training takes the same steps (the
    /// same trained networks and history, bit for bit), and only the result's map differs.</summary>
    [Fact]
    public void AveragingLeavesEveryTrainingStepAsItWas()
    {
        var pair = TestProblems.SmallGaussianPair();
        using var plain = MinimaxSolver.Solve(pair.Source, pair.Target, QuadraticCost.Instance, Short(40, 0));
        using var averaged = MinimaxSolver.Solve(pair.Source, pair.Target, QuadraticCost.Instance, Short(40, 0.25));

        var trained = averaged.Training!.Directions[0];
        Assert.NotSame(trained.Map, averaged.Map);
        Assert.Same(plain.Training!.Directions[0].Map, plain.Map);
        Assert.Equal(TestProblems.Weights([plain.Map, plain.Critic]), TestProblems.Weights([trained.Map, trained.Critic]));
        Assert.Equal(plain.History.Entries.Select(e => e with { Seconds = 0 }), averaged.History.Entries.Select(e => e with { Seconds = 0 }));
        Assert.NotEqual(TestProblems.Weights([plain.Map]), TestProblems.Weights([averaged.Map]));
    }

    /// <summary>The average is the mean of every iterate while the run is shorter than the horizon, then an
    /// exponential moving average with weight 1 / horizon: recomputed here in float64 from the weights after each
    /// iteration (read through a hook), it matches the result's map to float32 rounding.</summary>
    [Theory]
    [InlineData(1.0)]   // horizon 12 = the budget: the plain mean of the 12 iterates
    [InlineData(0.25)]  // horizon 3: the mean of the first 3, then weight 1/3
    public void TheAverageIsTheDocumentedMeanOfTheIterates(double averaging)
    {
        const int budget = 12;
        var pair = TestProblems.SmallGaussianPair();
        var options = Short(budget, averaging);
        var horizon = options.AveragingHorizon(budget);
        double[]? expected = null;
        void Fold(TransportResult state)
        {
            var weights = TestProblems.Weights([state.Training!.Directions[0].Map]).Select(w => (double)w).ToArray();
            var weight = 1.0 / Math.Min(state.IterationsCompleted, horizon);
            expected = expected is null ? weights : expected.Zip(weights, (a, w) => a + weight * (w - a)).ToArray();
        }
        // The hook sees every iteration but the last, whose weights the finished result holds.
        using var result = MinimaxSolver.Solve(pair.Source, pair.Target, QuadraticCost.Instance, options, hooks: new TrainingHooks(1, Fold));
        Fold(result);

        var actual = TestProblems.Weights([result.Map]);
        Assert.Equal(expected!.Length, actual.Length);
        var scale = expected.Max(Math.Abs);
        Assert.All(expected.Zip(actual), pair => Assert.True(Math.Abs(pair.First - pair.Second) <= 1e-6 * scale,
            $"averaged weight {pair.Second} differs from the recomputed {pair.First}"));
    }

    /// <summary>A checkpoint written before map averaging existed (no averaged sections) loads with the averaging
    /// off, maps with its one map and resumes without an average.</summary>
    [Fact]
    public void ACheckpointWithoutTheAverageLoadsAndResumesWithoutIt()
    {
        var pair = TestProblems.SmallGaussianPair();
        using var folder = new TemporaryFolder();
        var path = folder.File("at-10.ckpt");
        var options = Short(20, 0.25);
        using (MinimaxSolver.Solve(pair.Source, pair.Target, QuadraticCost.Instance, options,
                   hooks: new TrainingHooks(10, state => { if (state.IterationsCompleted == 10) TransportCheckpoint.Save(state, path); }))) { }
        var (header, sections) = CheckpointFile.Read<CheckpointHeader>(path, "transport");
        var earlier = folder.File("earlier.ckpt");
        CheckpointFile.Write(earlier, "transport", header, sections.Where(s => !s.Name.StartsWith("averaged_", StringComparison.Ordinal)).ToList());

        using var loaded = TransportCheckpoint.Load(earlier, pair.Source, pair.Target, QuadraticCost.Instance, options);
        Assert.Equal(0, loaded.Options.MapAveraging);
        Assert.Same(loaded.Training!.Directions[0].Map, loaded.Map);
        using var resumed = MinimaxSolver.Resume(loaded);
        Assert.Equal(20, resumed.IterationsCompleted);
        Assert.Null(resumed.Training!.Directions[0].AveragedMap);
        Assert.Same(resumed.Training.Directions[0].Map, resumed.Map);
    }

    [Fact]
    public void AConfigReadsAndWritesTheShare()
    {
        var config = ExperimentCatalogue.Get("gaussian-2d");
        Assert.Equal(0.025, config.Solver.MapAveraging);
        var edited = config with { Solver = config.Solver with { MapAveraging = 0 } };
        var json = edited.ToJson();
        Assert.Contains("\"map_averaging\": 0", json);
        Assert.Equal(0, ExperimentConfig.Parse(json).Solver.MapAveraging);
    }
}
