using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Events;
using NeuralOT.Costs;
using NeuralOT.Distributions;
using NeuralOT.Interactive;
using NeuralOT.Interactive.Progress;
using NeuralOT.Solvers;
using TorchSharp;

namespace NeuralOT.Tests.Interactive;

/// <summary>The live progress panel: it updates in place while training runs, and a stop request ends training
/// within one iteration with a usable result.</summary>
[Collection(TrainingCollection.Name)]
public class TrainingMonitorTests
{
    private static readonly GaussianDistribution Source = GaussianDistribution.StandardNormal(2);
    private static readonly GaussianDistribution Target = new([3, 3], new double[,] { { 1, 0.5 }, { 0.5, 0.5 } });

    [Fact]
    public void StopEndsTrainingWithinOneIterationAndKeepsAUsableResult()
    {
        var statuses = new List<TrainingStatus>();
        TrainingMonitor? monitor = null;
        monitor = new TrainingMonitor("stop test", status =>
        {
            statuses.Add(status);
            if (statuses.Count == 3) monitor!.Stop();
        });
        using (monitor)
        {
            using var result = NotebookTraining.Solve(Source, Target, QuadraticCost.Instance,
                new SolverOptions { Iterations = 100_000, Seed = 3 }, monitor);

            Assert.Equal(ExitReason.Cancelled, result.ExitReason);
            // The third report asked to stop; the loop checks before every iteration, so nothing ran after it.
            Assert.Equal(statuses[2].Iteration, result.IterationsCompleted);
            Assert.True(result.IterationsCompleted is > 0 and < 100_000);
            using var mapped = result.Transport(Source.Sample(256, new torch.Generator(1)));
            Assert.True(torch.isfinite(mapped).all().item<bool>());

            // Three progress reports, the solver's report of the last completed iteration as it stops, a final update
            // that says why it stopped, and a live curve that grew.
            Assert.Equal(statuses[2].Iteration, statuses[3].Iteration);
            Assert.Equal(5, monitor.Updates);
            Assert.True(monitor.Status.IsFinished);
            Assert.Contains("cancelled", monitor.Status.Outcome);
            Assert.True(statuses[2].Curves.Single(c => c.Name == "W_hat").Points.Count > statuses[0].Curves.Single(c => c.Name == "W_hat").Points.Count);
        }
    }

    [Fact]
    public void AfterARunWithTwoPhasesThePanelKeepsALinePerPhaseAndANormalFinishReadsAsFinished()
    {
        NeuralOT.Interactive.Formatting.NeuralOTFormatters.Register();
        using var monitor = new TrainingMonitor("two phases", _ => { });
        for (var i = 1; i <= 100; i++)
            monitor.Report(new TrainingProgress(i, 100, 1, 2, 0.01 * i, TimeSpan.FromSeconds(0.1 * i), TimeSpan.Zero));
        for (var i = 1; i <= 50; i++)
            monitor.Report(new VelocityProgress(i, 50, 1.0 / i, TimeSpan.FromSeconds(0.1 * i), TimeSpan.Zero));
        monitor.Finish("map: done; velocity: done", interrupted: false, ["completed the budget of 100 iterations", "completed the budget of 50 iterations"]);

        var phases = monitor.Status.FinishedPhases;
        Assert.Equal(["map", "velocity"], phases.Select(p => p.Phase));
        Assert.Equal((100, 100, 1.0), (phases[0].Iteration, phases[0].TotalIterations, phases[0].Final!.Value));
        Assert.Equal("W_hat", phases[0].Final!.Name);
        Assert.Equal((50, 0.02), (phases[1].Iteration, phases[1].Final!.Value));
        Assert.Equal("completed the budget of 50 iterations", phases[1].Exit);
        var html = NeuralOT.Interactive.Formatting.NeuralOTFormatters.ToHtml(monitor.Status);
        Assert.Contains("map: 100 / 100 iterations", html);
        Assert.Contains("velocity: 50 / 50 iterations", html);
        Assert.Contains("Finished: map: done", html);
        Assert.DoesNotContain("Stopped:", html);
        // The iteration axis starts at 0, not at the first logged iteration.
        Assert.Contains(">0</text>", html);

        using var stopped = new TrainingMonitor("stopped", _ => { });
        stopped.Report(new TrainingProgress(3, 100, 1, 2, 0.5, TimeSpan.FromSeconds(1), TimeSpan.Zero));
        stopped.Finish("map: cancelled", interrupted: true);
        Assert.Contains("Stopped: map: cancelled", NeuralOT.Interactive.Formatting.NeuralOTFormatters.ToHtml(stopped.Status));
    }

    [Fact]
    public async Task InAKernelThePanelUpdatesInPlaceAndTheNotebooksStopButtonEndsTraining()
    {
        var csharp = new CSharpKernel().UseKernelHelpers();
        using var kernel = new CompositeKernel { csharp };
        kernel.DefaultKernelName = csharp.Name;
        await new NeuralOTKernelExtension().OnLoadAsync(kernel);
        var reference = typeof(NotebookTraining).Assembly.Location;
        var core = typeof(MinimaxSolver).Assembly.Location;
        csharp.AddAssemblyReferences([reference, core, typeof(torch).Assembly.Location]);

        var updates = 0;
        using var cancelAfterTwoUpdates = kernel.KernelEvents.Subscribe(e =>
        {
            if (e is DisplayedValueUpdated && Interlocked.Increment(ref updates) == 2)
                _ = Task.Run(() => kernel.SendAsync(new Cancel()));
        });
        var training = await kernel.SendAsync(new SubmitCode("""
            using NeuralOT.Costs; using NeuralOT.Distributions; using NeuralOT.Solvers; using NeuralOT.Interactive.Progress;
            var result = NotebookTraining.Solve(GaussianDistribution.StandardNormal(2), GaussianDistribution.StandardNormal(2),
                QuadraticCost.Instance, new SolverOptions { Iterations = 100_000, Seed = 1 });
            """));

        Assert.True(updates >= 2, $"{updates} in-place updates");
        Assert.Single(training.Events.OfType<DisplayedValueProduced>(), e => e.Value is TrainingStatus);
        var panel = training.Events.OfType<DisplayedValueUpdated>().Last();
        Assert.Contains("neuralot-progress", panel.FormattedValues.Single(v => v.MimeType == "text/html").Value);
        // The cell's outputs close with the cancellation, so the panel must already say why training stopped.
        Assert.Contains("Stopped: stopped by the notebook", panel.FormattedValues.Single(v => v.MimeType == "text/html").Value);

        // The stop button cancels the cell; training stops within one iteration and the next cell finds a usable result.
        Assert.Contains(training.Events.OfType<CommandFailed>(), e => e.Message.Contains("cancelled", StringComparison.OrdinalIgnoreCase));
        var next = await kernel.SendAsync(new SubmitCode("$\"{result.ExitReason} {result.IterationsCompleted} {result.Transport(TorchSharp.torch.ones(4, 2)).isfinite().all().item<bool>()}\""));
        var answer = ((string)next.Events.OfType<ReturnValueProduced>().Single().Value).Split(' ');
        Assert.Equal("Cancelled", answer[0]);
        Assert.InRange(int.Parse(answer[1]), 1, 99_999);
        Assert.Equal("True", answer[2]);
    }
}
