using NeuralOT.Checkpoints;
using NeuralOT.Cli.Commands;
using NeuralOT.Experiments;
using NeuralOT.Solvers;

namespace NeuralOT.Tests.Cli;

/// <summary>Ctrl+C (SIGINT) sent to the real executable, as a user's terminal sends it.</summary>
[Collection(TrainingCollection.Name)]
public class SignalTests
{
    private static readonly TimeSpan Startup = TimeSpan.FromSeconds(60), Exit = TimeSpan.FromSeconds(60);

    /// <summary>A second Ctrl+C while the first one's checkpoint is being written neither crashes nor loses it: exit
    /// 130, no stack trace, and a cancelled checkpoint that resume can continue.</summary>
    [Theory]
    [InlineData(50)]
    [InlineData(0)]
    public void ASecondCtrlCNeverLosesTheFirstOnesCheckpoint(int millisecondsBetween)
    {
        using var folder = new TemporaryFolder();
        var outDir = folder.File("run");
        using var child = new ChildCli("run", "gaussian-2d", "--iterations", "1000000", "--out", outDir);
        Assert.True(child.WaitForOutput(" it ", Startup), $"training never started. stdout: {child.Output} stderr: {child.Error}");
        child.Interrupt();
        if (millisecondsBetween > 0) Thread.Sleep(millisecondsBetween);
        child.Interrupt();
        var code = child.WaitForExit(Exit);

        Assert.True(code == RunCommand.Cancelled, $"exit {code}. stderr: {child.Error}");
        Assert.DoesNotContain("Exception", child.Error);
        Assert.Contains("neuralot resume", child.Error);
        var header = TransportCheckpoint.ReadHeader(Path.Combine(outDir, ExperimentRunner.CheckpointFile));
        Assert.Equal(ExitReason.Cancelled, header.ExitReason);
        Assert.True(header.IterationsCompleted > 0);
        Assert.NotNull(header.Training);
        Assert.False(File.Exists(Path.Combine(outDir, ExperimentRunner.MetricsFile)));
    }

    /// <summary>SIGTERM (a supervisor stopping the run) saves the checkpoint as Ctrl+C does, and the exit code says
    /// which signal it was: 143, as a shell reports a process that SIGTERM ended.</summary>
    [Fact]
    public void SigtermSavesTheCheckpointAndExitsWith143()
    {
        using var folder = new TemporaryFolder();
        var outDir = folder.File("run");
        using var child = new ChildCli("run", "gaussian-2d", "--iterations", "1000000", "--out", outDir);
        Assert.True(child.WaitForOutput(" it ", Startup), $"training never started. stdout: {child.Output} stderr: {child.Error}");
        child.Terminate();
        var code = child.WaitForExit(Exit);

        Assert.True(code == 143, $"exit {code}. stderr: {child.Error}");
        var header = TransportCheckpoint.ReadHeader(Path.Combine(outDir, ExperimentRunner.CheckpointFile));
        Assert.Equal(ExitReason.Cancelled, header.ExitReason);
        Assert.True(header.IterationsCompleted > 0);
    }
}
