using System.Text.Json;
using NeuralOT.Cli;
using NeuralOT.Cli.Commands;
using NeuralOT.Experiments;
using NeuralOT.Solvers;

namespace NeuralOT.Tests.Cli;

/// <summary>Cancellation (Ctrl+C) is honoured after training too: during evaluation and while figures are drawn.</summary>
[Collection(TrainingCollection.Name)]
public class CancellationPhaseTests(FastGaussianRun fastRun)
{
    /// <summary>Cancelled once training has finished, the run stops in evaluation without metrics.json, and resume
    /// evaluates it to the metrics of the uninterrupted run.</summary>
    [Fact]
    public void ACancelDuringEvaluationStopsItAndResumeFinishesIt()
    {
        using var folder = new TemporaryFolder();
        var config = ExperimentCatalogue.Get("gaussian-2d") with { Velocity = null };
        var settings = new RunSettings(folder.File("whole"), Fast: true, Iterations: 20, Seed: 3);
        using (var whole = ExperimentRunner.Run(config, settings)) Assert.True(whole.Finished);

        var stoppedDir = folder.File("stopped");
        using var cancellation = new CancellationTokenSource();
        // The last progress report comes after the last iteration: training has nothing left to stop.
        var progress = new ProgressCallback<TrainingProgress>(p => { if (p.Iteration == p.TotalIterations) cancellation.Cancel(); });
        using (var stopped = ExperimentRunner.Run(config, settings with { OutputDirectory = stoppedDir }, progress, cancellation.Token))
        {
            Assert.Equal(ExitReason.IterationBudget, stopped.Result.ExitReason);
            Assert.True(stopped.EvaluationCancelled);
            Assert.False(stopped.Finished);
        }
        Assert.False(File.Exists(Path.Combine(stoppedDir, ExperimentRunner.MetricsFile)));

        var (code, _, error) = CliRunner.Run("resume", stoppedDir);
        Assert.True(code == 0, error);
        Assert.Equal(WithoutTimes(settings.OutputDirectory), WithoutTimes(stoppedDir));
    }

    /// <summary>`figures` cancelled (as by Ctrl+C) draws nothing more and exits 130, pointing to itself.</summary>
    [Fact]
    public async Task CancelledFiguresExitWith130AndPointToTheFiguresCommand()
    {
        using var folder = new TemporaryFolder();
        var outDir = fastRun.CopyTo(folder.File("run"));
        foreach (var figure in Directory.GetFiles(outDir, "*.html")) File.Delete(figure);

        var output = new StringWriter();
        var error = new StringWriter();
        var code = await CliApplication.InvokeAsync(["figures", outDir], output, error, new CancellationToken(canceled: true));

        Assert.Equal(RunCommand.Cancelled, code);
        Assert.Contains($"neuralot figures {outDir}", error.ToString());
        Assert.Empty(Directory.GetFiles(outDir, "*.html"));
    }

    private static Dictionary<string, string> WithoutTimes(string directory)
    {
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, ExperimentRunner.MetricsFile)));
        return metrics.RootElement.EnumerateObject().Where(p => !p.Name.Contains("seconds")).ToDictionary(p => p.Name, p => p.Value.GetRawText());
    }
}
