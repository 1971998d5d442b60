using NeuralOT.Costs;
using NeuralOT.Solvers;

namespace NeuralOT.Experiments;

/// <summary>
/// The named experiments of the reproduction set (docs/method.md, "The named experiments"). A name means the same
/// configuration in the CLI, the notebooks and the tests.
/// </summary>
public static partial class ExperimentCatalogue
{
    private static readonly Dictionary<string, Func<ExperimentConfig>> Builders = new()
    {
        ["gaussian-2d"] = () => new ExperimentConfig(
            "gaussian-2d", "N(0, I) -> N((3, 3), [[1, 0.5], [0.5, 0.5]]) in 2-D; closed-form reference",
            StandardNormal(2), new GaussianSpec([3, 3], [[1, 0.5], [0.5, 0.5]]), QuadraticCost.Instance, PaperSettings()),
        ["gaussian-10d"] = () => new ExperimentConfig(
            "gaussian-10d", "N(0, I) -> N(m, S) in 10-D, |m| = 3, eigenvalues of S in [0.25, 2]; closed-form reference",
            StandardNormal(10), TenDimensionalTarget(), QuadraticCost.Instance, PaperSettings(10_000)),
        ["mixture-2d"] = () => new ExperimentConfig(
            "mixture-2d", "N(0, I) -> 8 equal Gaussians (std 0.4) on a circle of radius 4; exact OT on samples as reference",
            StandardNormal(2), Ring(8, 4, 0.4), QuadraticCost.Instance, PaperSettings()),
        ["mixture-5d"] = () => new ExperimentConfig(
            "mixture-5d", "3-component Gaussian mixtures in 5-D from arXiv 2102.02992; exact OT on samples as reference",
            FiveDimensionalSource(), FiveDimensionalTarget(), QuadraticCost.Instance, PaperSettings(10_000)),
        ["mixture-10d"] = () => new ExperimentConfig(
            "mixture-10d", "N(0, I) -> 4 Gaussians at +-3 e1 +-3 e2 (weights 0.4/0.3/0.2/0.1, covariance 0.5 I) in 10-D",
            StandardNormal(10), Corners(), QuadraticCost.Instance, PaperSettings(10_000)),
        ["power-cost-2d"] = () => new ExperimentConfig(
            "power-cost-2d", "mixture-2d under the cost |v|^1.5 / 1.5, with the quadratic solve beside it; exact OT with the same cost as reference",
            StandardNormal(2), Ring(8, 4, 0.4), new PowerCost(1.5), PaperSettings()) { CompareQuadratic = true },
        // Phase 2 runs in every named experiment (run mixture-2d for the flow on the mixture); this entry is the one
        // with a closed-form velocity to compare against.
        ["velocity-2d"] = () => Get("gaussian-2d") with
        {
            Name = "velocity-2d",
            Description = "phase 2 on gaussian-2d: the velocity field against the closed form (mixture-2d runs phase 2 too)",
        },
        ["known-map-2d"] = () => KnownMap(2),
        ["known-map-4d"] = () => KnownMap(4),
        ["known-map-8d"] = () => KnownMap(8),
        ["known-map-16d"] = () => KnownMap(16),
        ["known-map-32d"] = () => KnownMap(32),
        ["known-map-64d"] = () => KnownMap(64),
        ["known-map-128d"] = () => KnownMap(128),
        ["mnist-4-8"] = () => Digits(4, 8),
        ["mnist-0-1"] = () => Digits(0, 1),
        ["mnist-6-9"] = () => Digits(6, 9),
    };

    /// <summary>The experiment names, in the order `neuralot list` prints them.</summary>
    public static IReadOnlyList<string> Names { get; } = Builders.Keys.ToArray();

    /// <summary>Whether <paramref name="name"/> is a catalogue experiment.</summary>
    public static bool Contains(string name) => Builders.ContainsKey(name);

    /// <summary>The configuration of a named experiment (a fresh copy each call), with phase 2 on (except for the
    /// MNIST pairs, whose 784-D phase 2 is not part of the reproduction set, and the known-map pairs, which measure
    /// the map).</summary>
    /// <exception cref="ConfigException">The name is unknown (the message lists the known ones).</exception>
    public static ExperimentConfig Get(string name) =>
        Builders.TryGetValue(name, out var build)
            ? build() is var config && config.Source is MnistSpec or RandomMixtureSpec ? config : config with { Velocity = new VelocityConfig() }
            : throw new ConfigException($"Unknown experiment \"{name}\"; known experiments: {string.Join(", ", Names)}.");

    /// <summary>A random 3-component mixture in <paramref name="dimension"/> dimensions pushed through the gradient of
    /// a random convex potential, whose exact map the metrics compare with; the seeds are fixed per dimension.</summary>
    private static ExperimentConfig KnownMap(int dimension) => new(
        $"known-map-{dimension}d",
        $"random 3-Gaussian mixture in {dimension}-D -> its image under grad psi, psi a random convex potential; exact map as reference",
        new RandomMixtureSpec(dimension, 3, Seed: dimension),
        new KnownMapSpec(Seed: 1000 + dimension),
        QuadraticCost.Instance, new SolverOptions());

    /// <summary>The paper's method as published: training starts from the identity map (no preconditioning), so these
    /// experiments reproduce the method rather than the library's automatic Gaussian start.</summary>
    private static SolverOptions PaperSettings(int? iterations = null) =>
        new() { Preconditioning = Preconditioning.None, Iterations = iterations };

    private static GaussianSpec StandardNormal(int dimension) =>
        new(new double[dimension], Diagonal(Enumerable.Repeat(1.0, dimension).ToArray()));

    private static double[][] Diagonal(double[] values) =>
        values.Select((v, i) => values.Select((_, j) => i == j ? v : 0.0).ToArray()).ToArray();

    private static GaussianMixtureSpec Ring(int count, double radius, double std)
    {
        var means = Enumerable.Range(0, count)
            .Select(k => new[] { radius * Math.Cos(2 * Math.PI * k / count), radius * Math.Sin(2 * Math.PI * k / count) })
            .ToArray();
        return new GaussianMixtureSpec(
            Enumerable.Repeat(1.0 / count, count).ToArray(), means,
            Enumerable.Range(0, count).Select(_ => Diagonal([std * std, std * std])).ToArray());
    }

    private static GaussianMixtureSpec Corners()
    {
        double[][] centres = [[3, 3], [-3, 3], [3, -3], [-3, -3]];
        return new GaussianMixtureSpec(
            [0.4, 0.3, 0.2, 0.1],
            centres.Select(c => Enumerable.Range(0, 10).Select(i => i < 2 ? c[i] : 0.0).ToArray()).ToArray(),
            Enumerable.Range(0, 4).Select(_ => Diagonal(Enumerable.Repeat(0.5, 10).ToArray())).ToArray());
    }

    /// <summary>N(m, S) with |m| = 3 and S = Q diag(linspace(0.25, 2, 10)) Q^T, m and Q drawn with a fixed seed.</summary>
    private static GaussianSpec TenDimensionalTarget()
    {
        const int d = 10;
        var random = new Random(2026); // seeded System.Random is stable across .NET versions
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var mean = Enumerable.Range(0, d).Select(_ => Normal()).ToArray();
        var norm = Math.Sqrt(mean.Sum(v => v * v));
        mean = mean.Select(v => Math.Round(3 * v / norm, 12)).ToArray();
        // Gram-Schmidt on a Gaussian matrix gives a uniformly random orthogonal basis.
        var basis = new double[d][];
        for (var i = 0; i < d; i++)
        {
            var v = Enumerable.Range(0, d).Select(_ => Normal()).ToArray();
            for (var j = 0; j < i; j++)
            {
                var dot = v.Zip(basis[j]).Sum(p => p.First * p.Second);
                for (var k = 0; k < d; k++) v[k] -= dot * basis[j][k];
            }
            var length = Math.Sqrt(v.Sum(x => x * x));
            basis[i] = v.Select(x => x / length).ToArray();
        }
        var eigenvalues = Enumerable.Range(0, d).Select(i => 0.25 + 1.75 * i / (d - 1)).ToArray();
        var covariance = new double[d][];
        for (var r = 0; r < d; r++)
        {
            covariance[r] = new double[d];
            for (var c = 0; c < d; c++)
                covariance[r][c] = Math.Round(Enumerable.Range(0, d).Sum(k => eigenvalues[k] * basis[k][r] * basis[k][c]), 12);
        }
        return new GaussianSpec(mean, covariance);
    }

    private static GaussianMixtureSpec FiveDimensionalSource() => new(
        [1.0 / 3, 1.0 / 3, 1.0 / 3],
        [[-6, 2, 1, -2, 3], [-4, 4, 2, 1, 5], [-2, 5, 3, 2, 2]],
        [
            [[1, .5, 0, .3, .8], [.5, 1, -.8, 0, 0], [0, -.8, 2, -.5, 0], [.3, 0, -.5, 1, 0], [.8, 0, 0, 0, 2]],
            Diagonal([1, 1, 1, 1, 1]),
            [[3, .8, 0, -.6, 0], [.8, 1, .5, .5, -.3], [0, .5, 1, .8, 0], [-.6, .5, .8, 1, 0], [0, -.3, 0, 0, 1]],
        ]);

    private static GaussianMixtureSpec FiveDimensionalTarget() => new(
        [1.0 / 3, 1.0 / 3, 1.0 / 3],
        [[4, -2, 3, 3, 2], [2, -3, 4, -1, 0], [0, -5, 5, 2, -2]],
        [
            [[1, 0, .5, -.3, 0], [0, 2, 0, .8, 0], [.5, 0, 1, .4, -.18], [-.3, .8, .4, 2, 0], [0, 0, -.18, 0, 1]],
            [[2, .5, 0, 0, .8], [.5, 1, 0, -.6, 0], [0, 0, 1, .5, 0], [0, -.6, .5, 1, 0], [.8, 0, 0, 0, 1]],
            [[1, 0, 0, 0, 0], [0, .8, .5, 0, .6], [0, .5, 2, -.5, 0], [0, 0, -.5, 1, 0], [0, .6, 0, 0, 1]],
        ]);
}
