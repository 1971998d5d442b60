using NeuralOT.Checkpoints;
using NeuralOT.Costs;
using NeuralOT.Distributions;
using NeuralOT.Experiments;
using NeuralOT.Metrics;
using NeuralOT.Solvers;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Tests.Solvers;

/// <summary>The held-out guard across an interruption (its state travels in the checkpoint) and its roll-back on a
/// late jump, driven through the test seam <see cref="HeldOutProbe"/>.</summary>
[Collection(TrainingCollection.Name)]
public class HeldOutResumeTests
{
    private const int Budget = 200;
    private const int EvaluationInterval = 10;

    // The default cosine schedule, so that a resume must also take up the schedule's position.
    private static SolverOptions Options(double excursionFactor, bool bidirectional = false, int interval = EvaluationInterval) => new()
    {
        Iterations = Budget, BatchSize = 64, Seed = 8, HistoryInterval = 5,
        MapNetwork = new Networks.NetworkOptions(Width: 16), CriticNetwork = new Networks.NetworkOptions(Width: 16),
        Bidirectional = bidirectional ? new BidirectionalOptions(1, 1e-12) : null,
        HeldOut = new HeldOutOptions { Interval = interval, ExcursionFactor = excursionFactor },
    };

    /// <summary>History rows without the wall-clock column.</summary>
    private static List<(int, double, double, double, double?, double?)> Rows(TransportResult result) =>
        result.History.Entries.Select(e => (e.Iteration, e.CriticObjective, e.MapObjective, e.WHat, e.WHatReverse, e.CycleError)).ToList();

    /// <summary>A guarded run on data files stopped at a checkpoint and resumed ends with the very networks, held-out
    /// evaluations and history of the uninterrupted run. The factor just above 1 makes excursions (and roll-backs)
    /// frequent before and after the stop, so a guard that restarted its median or lost its accepted copy would
    /// diverge from the uninterrupted run. Checkpoint 47 falls between evaluations (every 5 iterations), 90 on one
    /// (the checkpoint is written just before that evaluation, which the resume then makes first). The bidirectional run's
    /// held-out values fell steadily (no excursion at this factor), so the seam makes two of its evaluations
    /// excursions, the same in both runs: roll-backs then restore both directions before and after the stop.</summary>
    [Theory]
    [InlineData(47, false)]
    [InlineData(90, false)]
    public void AGuardedRunResumedFromACheckpointEndsExactlyAsTheUninterruptedRun(int stopAt, bool bidirectional)
    {
        var (source, target) = TestProblems.SmallDataPair();
        var options = Options(excursionFactor: 1.0001, bidirectional, interval: 5);
        using var folder = new TemporaryFolder();
        var jumps = bidirectional ? new HeldOutProbe { Score = (iteration, measured) => iteration is 40 or 150 ? 100 * measured : measured } : null;
        using var uninterrupted = MinimaxSolver.SolveWithHeldOutProbe(source, target, QuadraticCost.Instance, options, null, default,
            new TrainingHooks(stopAt, state =>
            {
                if (state.IterationsCompleted == stopAt) TransportCheckpoint.Save(state, folder.File($"at-{stopAt}.ckpt"));
            }), jumps);
        var reference = uninterrupted.HeldOut!;
        Assert.Contains(reference.Evaluations, e => e.Excursion && e.Iteration < stopAt);
        Assert.Contains(reference.Evaluations, e => e.Excursion && e.Iteration > stopAt);

        using var stopped = TransportCheckpoint.Load(folder.File($"at-{stopAt}.ckpt"), source, target, QuadraticCost.Instance, options);
        Assert.True(stopped.CanResume);
        var saved = TransportCheckpoint.ReadHeader(folder.File($"at-{stopAt}.ckpt")).HeldOut!;
        Assert.Equal(reference.Evaluations.Where(e => e.Iteration < stopAt), saved.Evaluations);
        Assert.True(saved.HasAcceptedNetworks);
        using var resumed = MinimaxSolver.ResumeWithHeldOutProbe(stopped, null, default, null, jumps);

        Assert.Equal(ExitReason.IterationBudget, resumed.ExitReason);
        Assert.Equal(reference.Evaluations, resumed.HeldOut!.Evaluations);
        Assert.Equal(reference.SelectedIteration, resumed.HeldOut.SelectedIteration);
        Assert.Null(resumed.HeldOut.RestartedAfterIteration);
        Assert.Equal(reference.ToCsv(), resumed.HeldOut.ToCsv());
        Assert.Equal(Rows(uninterrupted), Rows(resumed));
        Assert.Equal(TestProblems.Weights(uninterrupted), TestProblems.Weights(resumed));
        Assert.Equal(uninterrupted.ExitMessage, resumed.ExitMessage);
    }

    /// <summary>As above for bidirectional training (both directions are put back): twice the networks, so slow.</summary>
    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    public void ABidirectionalGuardedRunResumedFromACheckpointEndsExactlyAsTheUninterruptedRun() =>
        AGuardedRunResumedFromACheckpointEndsExactlyAsTheUninterruptedRun(90, bidirectional: true);

    /// <summary>The same through a cancellation (as Ctrl+C stops a run): the cancelled result carries the guard's
    /// state in memory and through its checkpoint.</summary>
    [Fact]
    public void AGuardedRunCancelledBetweenEvaluationsResumesExactly()
    {
        var (source, target) = TestProblems.SmallDataPair();
        var options = Options(excursionFactor: 1.0001);
        using var uninterrupted = MinimaxSolver.Solve(source, target, QuadraticCost.Instance, options);

        using var cancellation = new CancellationTokenSource();
        // The hook runs after iteration 47's work; the loop sees the cancellation before iteration 48.
        var stopped = MinimaxSolver.Solve(source, target, QuadraticCost.Instance, options, cancellation: cancellation.Token,
            hooks: new TrainingHooks(47, _ => cancellation.Cancel()));
        Assert.Equal(ExitReason.Cancelled, stopped.ExitReason);
        Assert.Equal(47, stopped.IterationsCompleted);
        Assert.Null(stopped.HeldOut);
        using var folder = new TemporaryFolder();
        TransportCheckpoint.Save(stopped, folder.File("cancelled.ckpt"));
        using var fromFile = TransportCheckpoint.Load(folder.File("cancelled.ckpt"), source, target, QuadraticCost.Instance, options);
        using var fromFileResumed = MinimaxSolver.Resume(fromFile);
        using var inMemoryResumed = MinimaxSolver.Resume(stopped);

        foreach (var resumed in new[] { fromFileResumed, inMemoryResumed })
        {
            Assert.Equal(uninterrupted.HeldOut!.Evaluations, resumed.HeldOut!.Evaluations);
            Assert.Equal(TestProblems.Weights(uninterrupted), TestProblems.Weights(resumed));
        }
    }

    /// <summary>After a resume, an excursion puts back networks accepted before the interruption: the checkpoint at
    /// iteration 75 holds the copy of evaluation 70 (its own networks are those of 75), and a jump at 80 (substituted
    /// through the seam) restores exactly the networks the uninterrupted run had at 70. A guard restarted from nothing
    /// would have accepted the jump (no median yet).</summary>
    [Fact]
    public void AnExcursionAfterAResumePutsBackTheNetworksAcceptedBeforeTheInterruption()
    {
        var (source, target) = TestProblems.SmallDataPair();
        var options = Options(excursionFactor: 1000);
        using var folder = new TemporaryFolder();
        var acceptedBeforeTheStop = new Dictionary<int, float[]>();
        var uninterruptedProbe = new HeldOutProbe { AfterEvaluation = (evaluation, networks) => acceptedBeforeTheStop[evaluation.Iteration] = TestProblems.Weights(networks) };
        using (var uninterrupted = MinimaxSolver.SolveWithHeldOutProbe(source, target, QuadraticCost.Instance, options, null, default,
                   new TrainingHooks(75, state => TransportCheckpoint.Save(state, folder.File($"at-{state.IterationsCompleted}.ckpt"))), uninterruptedProbe))
            Assert.Equal(0, uninterrupted.HeldOut!.Excursions);

        using var stopped = TransportCheckpoint.Load(folder.File("at-75.ckpt"), source, target, QuadraticCost.Instance, options);
        Assert.NotEqual(acceptedBeforeTheStop[70], TestProblems.Weights(stopped));
        var afterEvaluation = new Dictionary<int, float[]>();
        var probe = new HeldOutProbe
        {
            Score = (iteration, measured) => iteration == 80 ? 1e6 : measured,
            AfterEvaluation = (evaluation, networks) => afterEvaluation[evaluation.Iteration] = TestProblems.Weights(networks),
        };
        using var resumed = MinimaxSolver.ResumeWithHeldOutProbe(stopped, null, default, null, probe);

        var report = resumed.HeldOut!;
        Assert.Equal([80], report.Evaluations.Where(e => e.Excursion).Select(e => e.Iteration));
        Assert.Equal(acceptedBeforeTheStop[70], afterEvaluation[80]);
        Assert.NotEqual(afterEvaluation[80], afterEvaluation[90]);
        Assert.Equal(Budget, report.SelectedIteration);
    }

    /// <summary>A checkpoint written before checkpoints kept the guard's state resumes with a fresh guard, and the
    /// report, the exit message and the metrics say after which iteration it restarted.</summary>
    [Fact]
    public void ACheckpointWithoutTheGuardsStateResumesWithAFreshGuardAndSaysSo()
    {
        var (source, target) = TestProblems.SmallDataPair();
        var options = Options(excursionFactor: 1000);
        using var folder = new TemporaryFolder();
        using (MinimaxSolver.Solve(source, target, QuadraticCost.Instance, options,
                   hooks: new TrainingHooks(70, state => TransportCheckpoint.Save(state, folder.File($"at-{state.IterationsCompleted}.ckpt"))))) { }
        var current = folder.File("at-70.ckpt");
        var (header, sections) = CheckpointFile.Read<CheckpointHeader>(current, "transport");
        Assert.Contains(sections, s => s.Name == "held_out_map");
        var earlier = folder.File("earlier.ckpt");
        CheckpointFile.Write(earlier, "transport", header with { HeldOut = null }, sections.Where(s => !s.Name.StartsWith("held_out_", StringComparison.Ordinal)).ToList());

        using var stopped = TransportCheckpoint.Load(earlier, source, target, QuadraticCost.Instance, options);
        Assert.True(stopped.CanResume);
        using var resumed = MinimaxSolver.Resume(stopped);
        var report = resumed.HeldOut!;
        Assert.Equal(70, report.RestartedAfterIteration);
        // The checkpoint was written just before evaluation 70, which the resume makes first.
        Assert.Equal(Enumerable.Range(7, 14).Select(k => k * EvaluationInterval), report.Evaluations.Select(e => e.Iteration));
        Assert.Contains("the guard restarted after iteration 70", resumed.ExitMessage);
        var metrics = new HeldOutMetrics(report).ByName;
        Assert.Equal(70, metrics["held_out_restarted_after_iteration"]);
    }

    /// <summary>A late jump (substituted at iteration 170 through the seam) is rolled back: right after it the
    /// networks are bit for bit those of the accepted evaluation 160, and training goes on from them; the report,
    /// held_out.csv's text and the metrics record the excursion and that the last networks are kept.</summary>
    [Fact]
    public void ALateJumpIsRolledBackAndTrainingContinuesFromTheAcceptedNetworks()
    {
        var (source, target) = TestProblems.SmallDataPair();
        var afterEvaluation = new Dictionary<int, float[]>();
        var probe = new HeldOutProbe
        {
            Score = (iteration, measured) => iteration == 170 ? 1e6 : measured,
            AfterEvaluation = (evaluation, networks) => afterEvaluation[evaluation.Iteration] = TestProblems.Weights(networks),
        };
        using var result = MinimaxSolver.SolveWithHeldOutProbe(source, target, QuadraticCost.Instance, Options(excursionFactor: 1000),
            null, default, null, probe);

        Assert.Equal(afterEvaluation[160], afterEvaluation[170]);
        Assert.NotEqual(afterEvaluation[170], afterEvaluation[180]);
        Assert.Equal(afterEvaluation[Budget], TestProblems.Weights(result));
        var report = result.HeldOut!;
        Assert.Equal([170], report.Evaluations.Where(e => e.Excursion).Select(e => e.Iteration));
        Assert.Equal(Budget, report.SelectedIteration);
        Assert.Contains("1 excursion (at 170), each rolled back; the last networks are kept", result.ExitMessage);
        Assert.Contains("\n170,1000000,", report.ToCsv());
        Assert.EndsWith(",1\n", report.ToCsv().Split('\n').Single(l => l.StartsWith("170,", StringComparison.Ordinal)) + "\n");
        var metrics = new HeldOutMetrics(report).ByName;
        Assert.Equal(1, metrics["held_out_excursions"]);
        Assert.Equal(Budget, metrics["held_out_selected_iteration"]);
        Assert.False(metrics.ContainsKey("held_out_restarted_after_iteration"));
    }

    /// <summary>When the last evaluation is an excursion the result holds the networks of the last accepted one
    /// (iteration 190), bit for bit, and the report, held_out.csv's text, the exit message and the metrics say so; a
    /// checkpoint of that finished result still carries the report when it is loaded (a run whose evaluation is
    /// resumed writes the same held_out.csv and metrics).</summary>
    [Fact]
    public void AJumpAtTheEndLeavesTheResultWithTheLastAcceptedNetworks()
    {
        var (source, target) = TestProblems.SmallDataPair();
        var options = Options(excursionFactor: 1000);
        var afterEvaluation = new Dictionary<int, float[]>();
        var probe = new HeldOutProbe
        {
            Score = (iteration, measured) => iteration == Budget ? 1e6 : measured,
            AfterEvaluation = (evaluation, networks) => afterEvaluation[evaluation.Iteration] = TestProblems.Weights(networks),
        };
        using var result = MinimaxSolver.SolveWithHeldOutProbe(source, target, QuadraticCost.Instance, options, null, default, null, probe);
        using var unprobed = MinimaxSolver.Solve(source, target, QuadraticCost.Instance, options);

        var report = result.HeldOut!;
        Assert.True(report.Last.Excursion);
        Assert.Equal(190, report.SelectedIteration);
        Assert.Equal(afterEvaluation[190], TestProblems.Weights(result));
        Assert.NotEqual(TestProblems.Weights(unprobed), TestProblems.Weights(result));
        Assert.Contains("the networks of iteration 190 are kept", result.ExitMessage);
        Assert.EndsWith($"\n{Budget},1000000,{report.Last.CriticGap:R},1\n", report.ToCsv());
        var metrics = new HeldOutMetrics(report).ByName;
        Assert.Equal(190, metrics["held_out_selected_iteration"]);
        Assert.Equal(1e6, metrics["held_out_energy_last"]);
        Assert.Equal(report.Evaluations.Single(e => e.Iteration == 190).EnergyDistance, metrics["held_out_energy_selected"]);

        using var folder = new TemporaryFolder();
        TransportCheckpoint.Save(result, folder.File("final.ckpt"));
        using var loaded = TransportCheckpoint.Load(folder.File("final.ckpt"), source, target, QuadraticCost.Instance, options);
        Assert.Equal(report.ToCsv(), loaded.HeldOut!.ToCsv());
        Assert.Equal(190, loaded.HeldOut.SelectedIteration);
        Assert.Equal(TestProblems.Weights(result), TestProblems.Weights(loaded));
    }

    /// <summary>A guarded run's checkpoint holds the guard's state as docs/checkpoints.md describes it: a
    /// <c>held_out</c> entry with every evaluation so far and the last accepted iteration, and the accepted networks
    /// as the sections <c>held_out_map</c>, <c>held_out_critic</c> after the generator.</summary>
    [Fact]
    public void AGuardedCheckpointHoldsTheGuardsStateAsDocumented()
    {
        var (source, target) = TestProblems.SmallDataPair();
        using var folder = new TemporaryFolder();
        var path = folder.File("at-35.ckpt");
        using (MinimaxSolver.Solve(source, target, QuadraticCost.Instance, Options(excursionFactor: 1000) with { Iterations = 40 },
                   hooks: new TrainingHooks(35, state => TransportCheckpoint.Save(state, path)))) { }
        var bytes = File.ReadAllBytes(path);
        var length = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(16, 4));
        using var header = System.Text.Json.JsonDocument.Parse(bytes.AsMemory(20, length));
        var sections = header.RootElement.GetProperty("sections").EnumerateArray().Select(s => s.GetProperty("name").GetString()).ToList();
        Assert.Equal(["map", "critic", "averaged_map", "map_optimizer", "critic_optimizer", "generator", "held_out_map", "held_out_critic", "held_out_averaged_map"], sections);
        var heldOut = header.RootElement.GetProperty("content").GetProperty("held_out");
        Assert.Equal(["evaluations", "last_accepted_iteration", "has_accepted_networks", "restarted_after_iteration"],
            heldOut.EnumerateObject().Select(p => p.Name));
        Assert.Equal([10, 20, 30], heldOut.GetProperty("evaluations").EnumerateArray().Select(e => e.GetProperty("iteration").GetInt32()));
        Assert.Equal(["iteration", "energy_distance", "critic_gap", "excursion"],
            heldOut.GetProperty("evaluations")[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(30, heldOut.GetProperty("last_accepted_iteration").GetInt32());
        Assert.True(heldOut.GetProperty("has_accepted_networks").GetBoolean());
    }

    /// <summary>A run on data files cancelled midway (as Ctrl+C stops it) and continued with
    /// <see cref="ExperimentRunner.Resume"/> writes the held_out.csv and the held_out_* metrics of the uninterrupted
    /// run: every evaluation, not only those after the resume, and the same kept networks (the same metrics).</summary>
    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    public void AResumedRunOnDataFilesWritesTheHeldOutFileAndMetricsOfTheUninterruptedRun()
    {
        using var folder = new TemporaryFolder();
        var (source, target) = TestProblems.SmallDataPair();
        WriteCsv(folder.File("source.csv"), source);
        WriteCsv(folder.File("target.csv"), target);
        File.WriteAllText(folder.File("config.json"), """
            { "name": "held-out-resume",
              "source": { "type": "csv", "path": "source.csv" }, "target": { "type": "csv", "path": "target.csv" },
              "cost": { "type": "quadratic" },
              "solver": { "iterations": 1500, "batch_size": 64, "seed": 5, "history_interval": 10,
                          "map_network": { "width": 16 }, "critic_network": { "width": 16 },
                          "held_out": { "interval": 20, "excursion_factor": 1.0001 } },
              "evaluation": { "sample_size": 200, "reference_draws": 0 } }
            """);
        var config = ExperimentConfig.Load(folder.File("config.json"));
        var whole = folder.File("whole");
        using (var run = ExperimentRunner.Run(config, new RunSettings(whole))) Assert.True(run.Finished);

        var stoppedDir = folder.File("stopped");
        using var cancellation = new CancellationTokenSource();
        var progress = new ProgressCallback<TrainingProgress>(p => { if (p.Iteration >= 300) cancellation.Cancel(); });
        int stoppedAt;
        using (var stopped = ExperimentRunner.Run(config, new RunSettings(stoppedDir), progress, cancellation.Token))
        {
            Assert.Equal(ExitReason.Cancelled, stopped.Result.ExitReason);
            stoppedAt = stopped.Result.IterationsCompleted;
        }
        Assert.InRange(stoppedAt, 300, 1499);
        Assert.True(TransportCheckpoint.ReadHeader(Path.Combine(stoppedDir, ExperimentRunner.CheckpointFile)).HeldOut!.Evaluations.Count >= 15);
        using (var resumed = ExperimentRunner.Resume(stoppedDir)) Assert.True(resumed.Finished);

        var wholeHeldOut = File.ReadAllText(Path.Combine(whole, RunFiles.HeldOut));
        Assert.Equal(1500 / 20, wholeHeldOut.Trim().Split('\n').Length - 1);
        Assert.Contains(",1\n", wholeHeldOut);
        Assert.Equal(wholeHeldOut, File.ReadAllText(Path.Combine(stoppedDir, RunFiles.HeldOut)));
        using var wholeMetrics = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(whole, ExperimentRunner.MetricsFile)));
        using var resumedMetrics = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(stoppedDir, ExperimentRunner.MetricsFile)));
        var compared = wholeMetrics.RootElement.EnumerateObject().Select(p => p.Name).Where(name => name != "train_seconds").ToList();
        Assert.Contains("held_out_selected_iteration", compared);
        Assert.Contains("pushforward_w2", compared);
        foreach (var name in compared)
            Assert.Equal(wholeMetrics.RootElement.GetProperty(name).GetRawText(), resumedMetrics.RootElement.GetProperty(name).GetRawText());
    }

    private static void WriteCsv(string path, EmpiricalDistribution data)
    {
        using var rows = data.Rows();
        var values = rows.data<double>().ToArray();
        var d = (int)rows.shape[1];
        File.WriteAllText(path, "x1,x2\n" + string.Concat(Enumerable.Range(0, values.Length / d).Select(i =>
            string.Join(",", values.Skip(i * d).Take(d).Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))) + "\n")));
    }

    /// <summary>The guard's state, non-finite evaluations included, goes through the checkpoint header unchanged.</summary>
    [Fact]
    public void NonFiniteEvaluationsRoundTripThroughTheHeader()
    {
        var header = new CheckpointHeader
        {
            HeldOut = new HeldOutStateHeader(
                [new HeldOutEvaluation(10, 0.125, -0.5, false), new HeldOutEvaluation(20, double.NaN, double.PositiveInfinity, true)], 10, true, null),
        };
        using var folder = new TemporaryFolder();
        CheckpointFile.Write(folder.File("header.ckpt"), "transport", header, []);
        var read = CheckpointFile.Read<CheckpointHeader>(folder.File("header.ckpt"), "transport").Content.HeldOut!;
        Assert.Equal(header.HeldOut.Evaluations, read.Evaluations);
        Assert.Equal(10, read.LastAcceptedIteration);
        Assert.True(read.HasAcceptedNetworks);
    }
}
