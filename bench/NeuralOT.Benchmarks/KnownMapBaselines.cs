using NeuralOT.Distributions;
using NeuralOT.Experiments;
using NeuralOT.Reference;
using static TorchSharp.torch;

namespace NeuralOT.Benchmarks;

/// <summary>
/// What simple maps score on the known-map pairs: the identity and the best affine map (least squares of T*(x) on
/// [x, 1] over 20,000 samples, scored on 10,000 fresh ones), beside W2 and the spread of the target. A learned map
/// has to beat the affine one to show it captured the non-linear part.
/// </summary>
public static class KnownMapBaselines
{
    /// <param name="output">Where the table goes.</param>
    /// <param name="dimensions">Which known-map-&lt;D&gt;d pairs.</param>
    /// <param name="change">Changes to the catalogue's potential (to explore other pairs); null for none.</param>
    public static void Run(TextWriter output, IEnumerable<int> dimensions, Func<KnownMapSpec, KnownMapSpec>? change = null)
    {
        output.WriteLine($"{"pair",-16} {"W2",8} {"tr Cov mu1",11} {"identity l2_uvp %",18} {"affine l2_uvp %",16}");
        foreach (var dimension in dimensions)
        {
            var config = ExperimentCatalogue.Get($"known-map-{dimension}d");
            if (change is not null) config = config with { Target = change((KnownMapSpec)config.Target) };
            var (_, target) = config.CreateDistributions();
            var problem = ((KnownMapTarget)target).Problem;
            using var scope = NewDisposeScope();
            var generator = new Generator(12345);
            var fitX = problem.Source.Sample(20_000, generator);
            var fitY = problem.Map(fitX);
            var design = cat([fitX, ones(fitX.shape[0], 1, dtype: float64)], 1);
            var coefficients = linalg.lstsq(design, fitY).Solution;
            var x = problem.Source.Sample(10_000, generator);
            var y = problem.Map(x);
            var variance = y.var([0L]).sum().item<double>();
            double Uvp(Tensor mapped) => 100 * (mapped - y).square().sum(1).mean().item<double>() / variance;
            var affine = cat([x, ones(x.shape[0], 1, dtype: float64)], 1).matmul(coefficients);
            output.WriteLine($"{config.Name,-16} {problem.EstimateW2(100_000, generator),8:F3} {variance,11:F2} {Uvp(x),18:F1} {Uvp(affine),16:F1}");
        }
    }
}
