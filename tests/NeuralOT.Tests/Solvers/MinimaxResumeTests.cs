using NeuralOT.Checkpoints;
using NeuralOT.Tests.Checkpoints;
using NeuralOT.Costs;
using NeuralOT.Solvers;
using TorchSharp;

namespace NeuralOT.Tests.Solvers;

[Collection(TrainingCollection.Name)]
public class MinimaxResumeTests
{
    /// <summary>A run resumed from a periodic checkpoint takes exactly the steps of the uninterrupted run: the same
    /// maps, critics and history (Adam moments, schedule position, sample stream and smoothing all restored).</summary>
    [Theory]
    [MemberData(nameof(TransportCheckpointTests.Variants), MemberType = typeof(TransportCheckpointTests))]
    public void ResumingFromACheckpointReproducesTheUninterruptedRun(CriticForm form, bool bidirectional, bool preconditioned)
    {
        var reference = TestProblems.SmallGaussianPair();
        var options = new SolverOptions
        {
            Critic = form, Iterations = 30, Seed = 6, HistoryInterval = 4,
            Bidirectional = bidirectional ? new BidirectionalOptions(1, 1e-6) : null,
            Preconditioning = preconditioned ? Preconditioning.Affine : Preconditioning.None,
        };
        using var folder = new TemporaryFolder();
        using var uninterrupted = MinimaxSolver.Solve(reference.Source, reference.Target, QuadraticCost.Instance, options,
            hooks: new TrainingHooks(13, state => TransportCheckpoint.Save(state, folder.File($"at-{state.IterationsCompleted}.ckpt"))));

        using var stopped = TransportCheckpoint.Load(folder.File("at-13.ckpt"), reference.Source, reference.Target, QuadraticCost.Instance, options);
        Assert.True(stopped.CanResume);
        Assert.Equal(13, stopped.IterationsCompleted);
        Assert.Equal(new[] { 4, 8, 12 }, stopped.History.Entries.Select(e => e.Iteration));
        using var resumed = MinimaxSolver.Resume(stopped);

        Assert.Equal(ExitReason.IterationBudget, resumed.ExitReason);
        Assert.Equal(30, resumed.IterationsCompleted);
        Assert.False(resumed.CanResume);
        Assert.Equal(Rows(uninterrupted), Rows(resumed));
        using var x = reference.Source.Sample(100, new torch.Generator(2));
        AssertIdentical(uninterrupted.Transport(x), resumed.Transport(x));
        using (var t = torch.full(100, 1, 0.5f))
        using (var x32 = x.to(torch.float32))
            AssertIdentical(uninterrupted.Critic.Forward(x32, t), resumed.Critic.Forward(x32, t));
        if (bidirectional) AssertIdentical(uninterrupted.ReverseTransport(x), resumed.ReverseTransport(x));
        Assert.True(resumed.TrainingTime >= stopped.TrainingTime, "the training time continues from the checkpoint's");
    }

    [Fact]
    public void AFinishedOrUnresumableResultIsRefusedSayingWhy()
    {
        var reference = TestProblems.SmallGaussianPair();
        using var finished = MinimaxSolver.Solve(reference.Source, reference.Target, QuadraticCost.Instance, new SolverOptions { Iterations = 3 });
        Assert.Contains("already finished", Assert.Throws<ArgumentException>(() => MinimaxSolver.Resume(finished)).Message);
    }

    [Fact]
    public void ACancelledRunResumesToTheSameResult()
    {
        var reference = TestProblems.SmallGaussianPair();
        var options = new SolverOptions { Iterations = 20, Seed = 3 };
        using var uninterrupted = MinimaxSolver.Solve(reference.Source, reference.Target, QuadraticCost.Instance, options);
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();
        var stopped = MinimaxSolver.Solve(reference.Source, reference.Target, QuadraticCost.Instance, options, cancellation: cancellation.Token);
        Assert.Equal(ExitReason.Cancelled, stopped.ExitReason);
        Assert.True(stopped.CanResume);
        using var resumed = MinimaxSolver.Resume(stopped);
        Assert.Equal(Rows(uninterrupted), Rows(resumed));
    }

    /// <summary>A checkpoint in the format before resume existed (no training entry, networks only) still loads as a
    /// result, and resuming it is refused with the reason.</summary>
    [Fact]
    public void ACheckpointWithoutTrainingStateLoadsButIsNotResumed()
    {
        var reference = TestProblems.SmallGaussianPair();
        using var folder = new TemporaryFolder();
        var options = new SolverOptions { Iterations = 10, Seed = 2 };
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();
        using var stopped = MinimaxSolver.Solve(reference.Source, reference.Target, QuadraticCost.Instance, options, cancellation: cancellation.Token);
        Assert.True(stopped.CanResume);
        var current = folder.File("current.ckpt");
        TransportCheckpoint.Save(stopped, current);
        var oldFormat = folder.File("old.ckpt");
        CheckpointFile.Write(oldFormat, "transport", TransportCheckpoint.ReadHeader(current) with { Training = null },
            [("map", CheckpointFile.Serialize(stopped.Map)), ("critic", CheckpointFile.Serialize(stopped.Critic))]);

        using var loaded = TransportCheckpoint.Load(oldFormat, reference.Source, reference.Target, QuadraticCost.Instance, options);
        Assert.False(loaded.CanResume);
        using var x = reference.Source.Sample(50, new torch.Generator(1));
        AssertIdentical(stopped.Transport(x), loaded.Transport(x));
        Assert.Contains("written before resume existed", Assert.Throws<ArgumentException>(() => MinimaxSolver.Resume(loaded)).Message);
    }

    /// <summary>History rows without the wall-clock column.</summary>
    private static List<(int, double, double, double, double?, double?)> Rows(TransportResult result) =>
        result.History.Entries.Select(e => (e.Iteration, e.CriticObjective, e.MapObjective, e.WHat, e.WHatReverse, e.CycleError)).ToList();

    private static void AssertIdentical(torch.Tensor expected, torch.Tensor actual) =>
        Assert.Equal(expected.to(torch.float64).data<double>().ToArray(), actual.to(torch.float64).data<double>().ToArray());
}
