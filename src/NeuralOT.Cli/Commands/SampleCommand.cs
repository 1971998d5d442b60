using System.CommandLine;
using System.Globalization;
using NeuralOT.Distributions;
using NeuralOT.Experiments;
using NeuralOT.IO;
using static TorchSharp.torch;

namespace NeuralOT.Cli.Commands;

/// <summary>
/// <c>neuralot sample &lt;DIR&gt; --t T --n N [--flow] [--seed S] [--out FILE.csv]</c>: samples of a trained run's
/// geodesic at time T (or of its phase-2 velocity flow), as CSV with the header <c>x1,...,xd</c>, to stdout or
/// written atomically to a file.
/// </summary>
public static class SampleCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var folder = new Argument<string>("folder") { Description = "A run folder (the --out of `neuralot run`)." };
        var time = new Option<double>("--t") { Description = "The time in [0, 1]: 0 is the source, 1 the target.", Required = true };
        var count = new Option<int>("--n") { Description = "How many samples (at least 1).", Required = true };
        var flow = new Option<bool>("--flow") { Description = "Sample the phase-2 flow: source samples integrated along the learned velocity field to time T." };
        var seed = new Option<int>("--seed") { Description = "Seed of the source samples (default 0).", DefaultValueFactory = _ => 0 };
        var output = new Option<string?>("--out") { Description = "Write the CSV to this file (default: standard output)." };
        var command = new Command("sample", "Write CSV samples of a run's geodesic at time T (or of its velocity flow with --flow).")
        {
            folder, time, count, flow, seed, output,
        };
        command.SetAction(parseResult =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            return CliErrors.Run(parseResult.InvocationConfiguration.Error, () =>
            {
                var t = parseResult.GetValue(time);
                var n = parseResult.GetValue(count);
                // The library checks t and n too; checked here, the message names the options.
                if (!(t >= 0 && t <= 1))
                    throw new ArgumentOutOfRangeException("t", t, FormattableString.Invariant($"--t = {t} is outside [0, 1]: 0 is the source, 1 the target."));
                if (n < 1)
                    throw new ArgumentOutOfRangeException("n", n, $"--n = {n} is invalid: ask for at least 1 sample.");
                using var samples = RunFolder.Sample(parseResult.GetValue(folder)!, t, n, parseResult.GetValue(flow),
                    parseResult.GetValue(seed));
                var csv = ToCsv(samples);
                if (parseResult.GetValue(output) is { } path)
                {
                    OutputFiles.CheckFolder(path);
                    AtomicFile.Write(path, csv);
                }
                else
                {
                    stdout.Write(csv);
                }
                return 0;
            });
        });
        return command;
    }

    private static string ToCsv(Tensor samples)
    {
        var d = (int)samples.shape[1];
        var text = new StringWriter(CultureInfo.InvariantCulture);
        CsvSamples.WriteHeader(text, CsvSamples.DefaultColumnNames(d));
        using var values = samples.to(float64, CPU);
        CsvSamples.WriteRows(text, values.data<double>().ToArray(), d);
        return text.ToString();
    }
}
