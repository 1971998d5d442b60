using System.CommandLine;
using NeuralOT.Experiments;
using NeuralOT.Solvers;

namespace NeuralOT.Cli.Commands;

/// <summary><c>neuralot run &lt;name|config.json&gt;</c>: trains, evaluates and writes a run folder (SPEC 6).</summary>
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
        var fast = new Option<bool>("--fast") { Description = $"A quick look: at most {ExperimentRunner.FastIterations} iterations." };
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
                var figureRequest = figures.Prepare(parseResult, config);
                var outcome = ProgressDisplay.Run(stdout, config.Name,
                    (progress, velocityProgress) => ExperimentRunner.Run(config, settings, progress, cancellation, velocityProgress));
                using var result = outcome.Result;
                using var velocity = outcome.Velocity;
                switch (result.ExitReason)
                {
                    case ExitReason.Diverged:
                        stderr.WriteLine($"error: training {result.ExitMessage}. History so far: {Path.Combine(outcome.OutputDirectory, ExperimentRunner.HistoryFile)}");
                        return Diverged;
                    case ExitReason.Cancelled:
                        stderr.WriteLine($"cancelled: {result.ExitMessage}; partial results in {outcome.OutputDirectory}");
                        return Cancelled;
                }
                switch (velocity?.ExitReason)
                {
                    case ExitReason.Diverged:
                        stderr.WriteLine($"error: velocity training {velocity.ExitMessage}. History so far: {Path.Combine(outcome.OutputDirectory, ExperimentRunner.VelocityHistoryFile)}");
                        return Diverged;
                    case ExitReason.Cancelled:
                        stderr.WriteLine($"cancelled: velocity training {velocity.ExitMessage}; partial results in {outcome.OutputDirectory}");
                        return Cancelled;
                }
                figureRequest.Write(outcome, stdout);
                stdout.WriteLine($"{config.Name}: {result.ExitMessage} in {result.TrainingTime.TotalSeconds:F1} s; wrote {outcome.OutputDirectory}");
                if (velocity is not null)
                    stdout.WriteLine($"{config.Name} velocity: {velocity.ExitMessage} in {velocity.TrainingTime.TotalSeconds:F1} s");
                foreach (var (key, value) in outcome.Metrics.Where(m => m.Value is double))
                    stdout.WriteLine($"  {key} = {value:G6}");
                return 0;
            }));
        });
        return command;
    }

    /// <summary>A catalogue name, or else a config file path.</summary>
    public static ExperimentConfig LoadConfig(string nameOrPath) =>
        ExperimentCatalogue.Contains(nameOrPath) || !nameOrPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
            ? ExperimentCatalogue.Get(nameOrPath)
            : ExperimentConfig.Load(nameOrPath);
}
