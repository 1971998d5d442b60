using System.Text.Json;
using NeuralOT.Checkpoints;
using NeuralOT.Experiments;
using NeuralOT.Solvers;

namespace NeuralOT.Tests.Cli;

[Collection(TrainingCollection.Name)]
public class ResumeCommandTests(FastGaussianRun fastRun)
{
    /// <summary>A run cancelled midway (as Ctrl+C does) leaves config.json, the checkpoint and the history so far but
    /// no metrics.json; <c>neuralot resume</c> continues it to exactly the result of the uninterrupted run, whose
    /// history it extends, and that result meets the fast-mode accuracy bar.</summary>
    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    public void ACancelledRunResumesToTheUninterruptedResult()
    {
        using var folder = new TemporaryFolder();
        var config = ExperimentCatalogue.Get("gaussian-2d") with { Velocity = null };
        var settings = new RunSettings(folder.File("whole"), Fast: true, Seed: 4);
        using (var whole = ExperimentRunner.Run(config, settings)) Assert.True(whole.Finished);

        var stoppedDir = folder.File("stopped");
        using var cancellation = new CancellationTokenSource();
        // Cancel at the first progress report past iteration 100 (reports come every 250 ms).
        var progress = new ProgressCallback<TrainingProgress>(p => { if (p.Iteration >= 100) cancellation.Cancel(); });
        int stoppedAt;
        using (var stopped = ExperimentRunner.Run(config, settings with { OutputDirectory = stoppedDir }, progress, cancellation.Token))
        {
            Assert.Equal(ExitReason.Cancelled, stopped.Result.ExitReason);
            Assert.False(stopped.Finished);
            stoppedAt = stopped.Result.IterationsCompleted;
        }
        Assert.InRange(stoppedAt, 100, ExperimentRunner.FastIterations - 1);
        Assert.False(File.Exists(Path.Combine(stoppedDir, ExperimentRunner.MetricsFile)));
        Assert.Equal(stoppedAt, TransportCheckpoint.ReadHeader(Path.Combine(stoppedDir, ExperimentRunner.CheckpointFile)).IterationsCompleted);
        var historyBefore = File.ReadAllLines(Path.Combine(stoppedDir, ExperimentRunner.HistoryFile));
        Assert.Equal(stoppedAt / 10 + 1, historyBefore.Length);

        var (code, output, error) = CliRunner.Run("resume", stoppedDir);
        Assert.True(code == 0, error);
        Assert.Contains("w2_relative_error", output);

        var historyAfter = File.ReadAllLines(Path.Combine(stoppedDir, ExperimentRunner.HistoryFile));
        var wholeHistory = File.ReadAllLines(Path.Combine(settings.OutputDirectory, ExperimentRunner.HistoryFile));
        Assert.Equal(historyBefore, historyAfter.Take(historyBefore.Length));
        Assert.Equal(Enumerable.Range(1, ExperimentRunner.FastIterations / 10).Select(k => 10 * k), historyAfter.Skip(1).Select(Iteration));
        Assert.Equal(wholeHistory.Select(WithoutSeconds), historyAfter.Select(WithoutSeconds));

        var resumed = Metrics(stoppedDir);
        var uninterrupted = Metrics(settings.OutputDirectory);
        foreach (var key in new[] { "l2_uvp_percent", "w2_estimate", "geodesic_error", "pushforward_w2", "in_sample_map_error_percent" })
            Assert.Equal(uninterrupted.GetProperty(key).GetDouble(), resumed.GetProperty(key).GetDouble());
        Assert.Equal(ExperimentRunner.FastIterations, resumed.GetProperty("iterations").GetInt32());
        // The fast-mode bar of an uninterrupted gaussian-2d run (RunCommandTests).
        Assert.True(resumed.GetProperty("w2_relative_error").GetDouble() < 0.1);
    }

    [Fact]
    public void AFinishedRunIsNotResumedAndSaysSo()
    {
        using var folder = new TemporaryFolder();
        var outDir = fastRun.CopyTo(folder.File("run"));
        var metrics = File.ReadAllText(Path.Combine(outDir, ExperimentRunner.MetricsFile));
        var (code, output, _) = CliRunner.Run("resume", outDir);
        Assert.Equal(0, code);
        Assert.Contains("already finished", output);
        // A crash while the figures were drawn leaves a finished run: the way on is the figures command.
        Assert.Contains($"neuralot figures {outDir}", output);
        Assert.Equal(metrics, File.ReadAllText(Path.Combine(outDir, ExperimentRunner.MetricsFile)));
    }

    [Fact]
    public void FoldersThatCannotBeResumedFailWithOneLine()
    {
        using var folder = new TemporaryFolder();
        AssertFails(CliRunner.Run("resume", folder.File("missing")), "No run folder");
        AssertFails(CliRunner.Run("resume", folder.Path), "not a run folder");

        var outDir = fastRun.CopyTo(folder.File("run"));
        File.Delete(Path.Combine(outDir, ExperimentRunner.MetricsFile));
        var checkpoint = Path.Combine(outDir, ExperimentRunner.CheckpointFile);
        var bytes = File.ReadAllBytes(checkpoint);
        File.WriteAllBytes(checkpoint, bytes[..(bytes.Length / 2)]);
        AssertFails(CliRunner.Run("resume", outDir), "truncated");
        File.Delete(checkpoint);
        AssertFails(CliRunner.Run("resume", outDir), "no checkpoint.ckpt");
        Assert.False(File.Exists(Path.Combine(outDir, ExperimentRunner.MetricsFile)));
    }

    private static void AssertFails((int ExitCode, string Output, string Error) run, string expected)
    {
        Assert.Equal(1, run.ExitCode);
        Assert.Contains(expected, run.Error);
        Assert.Single(run.Error.Trim().Split('\n'));
    }

    private static int Iteration(string row) => int.Parse(row.Split(',')[0]);

    private static string WithoutSeconds(string row) => string.Join(',', row.Split(',').Where((_, i) => i != 4));

    private static JsonElement Metrics(string folder) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, ExperimentRunner.MetricsFile))).RootElement;
}
