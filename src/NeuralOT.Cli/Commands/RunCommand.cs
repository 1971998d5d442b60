using System.CommandLine;
using NeuralOT.Experiments;
using NeuralOT.Solvers;

namespace NeuralOT.Cli.Commands;

/// <summary><c>neuralot run &lt;name|config.json&gt;</c>: trains, evaluates and writes a run folder.</summary>
public static class RunCommand
{
    /// <summary>Exit code when training diverged.</summary>
    public const int Diverged = 2;

    /// <summary>Exit code when the run was cancelled (as for SIGINT).</summary>
    public const int Cancelled = 130;

    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var experiment = new Argument<string>("experiment") { Description = "A named experiment (see `neuralot list`) or a config.json file." };
        var output = new Option<string?>("--out") { Description = "Output folder (default runs/<name>)." };
        var fast = new Option<bool>("--fast") { Description = $"A quick look: at most {ExperimentRunner.FastIterations} iterations ({ExperimentRunner.FastDigitIterations} for MNIST)." };
        var seed = new Option<int?>("--seed") { Description = "Overrides solver.seed." };
        var iterations = new Option<int?>("--iterations") { Description = "Overrides solver.iterations." };
        var threads = new Option<int?>("--threads") { Description = "Overrides solver.threads (CPU threads for TorchSharp)." };
        var device = new Option<string?>("--device") { Description = "cpu or cuda (overrides solver.device)." };
        var force = new Option<bool>("--force") { Description = "Overwrite an output folder that holds another run." };
        var command = new Command("run", "Train and evaluate an experiment; writes metrics.json, history.csv, velocity_history.csv (phase 2), config.json and figures (.html, offline).")
        {
            experiment, output, fast, seed, iterations, threads, device, force,
        };
        var figures = new FigureOptionsCli(command);
        command.SetAction((parseResult, cancellation) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            return Task.FromResult(CliErrors.Run(stderr, () =>
            {
                var config = LoadConfig(parseResult.GetValue(experiment)!);
                var settings = new RunSettings(
                    parseResult.GetValue(output) ?? Path.Combine("runs", config.Name),
                    parseResult.GetValue(fast), parseResult.GetValue(seed), parseResult.GetValue(iterations),
                    parseResult.GetValue(threads), parseResult.GetValue(device), parseResult.GetValue(force));
                // The problem is built and checked once, here: the figure options are set up on it before training.
                using var prepared = ExperimentRunner.Prepare(config, settings);
                var figureRequest = figures.Prepare(parseResult, prepared.Problem);
                using var outcome = ProgressDisplay.Run(stdout, config.Name,
                    (progress, velocityProgress, stages) => ExperimentRunner.Run(prepared, progress, cancellation, velocityProgress, stages));
                return Report(outcome, stdout, stderr, figureRequest, cancellation);
            }));
        });
        return command;
    }

    /// <summary>
    /// Reports how a run ended, for <c>run</c> and <c>resume</c> alike: one line on stderr and a non-zero exit code
    /// when a phase diverged or was cancelled (the folder then holds no metrics.json and can be resumed after a
    /// cancel), otherwise writes the figures and prints the summary and the metrics on stdout.
    /// </summary>
    internal static int Report(RunOutcome outcome, TextWriter stdout, TextWriter stderr, FigureOptionsCli.Request? figures, CancellationToken cancellation)
    {
        var name = outcome.Config.Name;
        var folder = outcome.OutputDirectory;
        var phases = new (string Label, ExitReason? Exit, string? Message, string History)[]
        {
            ("training", outcome.Result.ExitReason, outcome.Result.ExitMessage, ExperimentRunner.HistoryFile),
            ("quadratic comparison training", outcome.QuadraticComparison?.ExitReason, outcome.QuadraticComparison?.ExitMessage, ExperimentRunner.QuadraticHistoryFile),
            ("velocity training", outcome.Velocity?.ExitReason, outcome.Velocity?.ExitMessage, ExperimentRunner.VelocityHistoryFile),
        };
        foreach (var (label, exit, message, history) in phases)
            switch (exit)
            {
                case ExitReason.Diverged:
                    stderr.WriteLine($"error: {label} {message}. History so far: {Path.Combine(folder, history)}");
                    return Diverged;
                case ExitReason.Cancelled:
                    stderr.WriteLine($"cancelled: {label} {message}; continue with `neuralot resume {folder}`");
                    return Cancelled;
            }
        if (outcome.EvaluationCancelled)
        {
            stderr.WriteLine($"cancelled: evaluation stopped before {ExperimentRunner.MetricsFile} was written (training is saved); continue with `neuralot resume {folder}`");
            return Cancelled;
        }
        // In the order things happened: training, then the figures, then the metrics of metrics.json.
        var result = outcome.Result;
        stdout.WriteLine($"{name}: {result.ExitMessage} in {result.TrainingTime.TotalSeconds:F1} s; wrote {folder}");
        if (outcome.QuadraticComparison is { } companion)
            stdout.WriteLine($"{name} quadratic comparison: {companion.ExitMessage} in {companion.TrainingTime.TotalSeconds:F1} s");
        if (outcome.Velocity is { } velocity)
            stdout.WriteLine($"{name} velocity: {velocity.ExitMessage} in {velocity.TrainingTime.TotalSeconds:F1} s");
        try
        {
            figures?.Write(outcome, stdout, cancellation);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            stderr.WriteLine($"cancelled: while writing the figures ({ExperimentRunner.MetricsFile} is complete); draw them with `neuralot figures {folder}`");
            return Cancelled;
        }
        foreach (var (key, value) in (outcome.Metrics?.Entries ?? []).Where(m => m.Value is double or null))
            stdout.WriteLine(value is null ? $"  {key} undefined for this run (null in metrics.json)" : $"  {key} = {value:G6}");
        return 0;
    }

    /// <summary>A catalogue name, or else a config file path.</summary>
    public static ExperimentConfig LoadConfig(string nameOrPath) =>
        ExperimentCatalogue.Contains(nameOrPath) || !nameOrPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
            ? ExperimentCatalogue.Get(nameOrPath)
            : ExperimentConfig.Load(nameOrPath);
}
