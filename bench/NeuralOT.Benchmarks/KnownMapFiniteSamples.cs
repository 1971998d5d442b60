using System.Globalization;
using NeuralOT.Distributions;
using NeuralOT.Experiments;
using NeuralOT.Reference;
using NeuralOT.Solvers;
using static TorchSharp.torch;

namespace NeuralOT.Benchmarks;

/// <summary>
/// The known-map pairs as a user with data has them: a fixed sample of each side (independent draws, as two data
/// sets would be), read back from CSV files, trained with the default solver, and scored against the exact map on
/// fresh source points (held out) and on the training points themselves (in sample).
/// </summary>
public static class KnownMapFiniteSamples
{
    public static void Run(TextWriter output, int dimension, int seed, int samples)
    {
        var config = ExperimentCatalogue.Get($"known-map-{dimension}d");
        var (_, target) = config.CreateDistributions();
        var problem = ((KnownMapTarget)target).Problem;
        var folder = Directory.CreateTempSubdirectory("neuralot-known-map-");
        try
        {
            var generator = new Generator(777 + (ulong)seed);
            var sourcePath = Path.Combine(folder.FullName, "source.csv");
            var targetPath = Path.Combine(folder.FullName, "target.csv");
            using (var scope = NewDisposeScope())
            {
                Write(sourcePath, problem.Source.Sample(samples, generator));
                Write(targetPath, problem.Target.Sample(samples, generator));
            }
            var source = new EmpiricalDistribution(CsvSamples.Read(sourcePath), "source.csv");
            var data = new EmpiricalDistribution(CsvSamples.Read(targetPath), "target.csv");
            var options = config.Solver with { Seed = seed };
            using var result = MinimaxSolver.Solve(source, data, config.Cost, options);
            using var evaluation = NewDisposeScope();
            var fresh = problem.Source.Sample(10_000, new Generator(99));
            var training = tensor(CsvSamples.Read(sourcePath), float64);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"known-map-{dimension}d seed {seed}, {samples} samples per side from CSV: l2_uvp {Uvp(result, problem, fresh):F3} % on fresh points, {Uvp(result, problem, training):F3} % on the training points; {result.TrainingTime.TotalSeconds:F0} s, {result.ExitMessage}"));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static double Uvp(TransportResult result, KnownMapTransport problem, Tensor x)
    {
        using var scope = NewDisposeScope();
        var exact = problem.Map(x);
        return 100 * (result.Transport(x) - exact).square().sum(1).mean().item<double>() / exact.var([0L]).sum().item<double>();
    }

    private static void Write(string path, Tensor samples)
    {
        var rows = samples.data<double>().ToArray();
        var d = (int)samples.shape[1];
        using var writer = new StreamWriter(path);
        for (var i = 0; i < rows.Length / d; i++)
            writer.WriteLine(string.Join(",", rows.Skip(i * d).Take(d).Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
    }
}
