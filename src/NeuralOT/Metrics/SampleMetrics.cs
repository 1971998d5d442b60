using NeuralOT.Costs;
using NeuralOT.Distributions;
using NeuralOT.Reference;
using TorchSharp;

namespace NeuralOT.Metrics;

/// <summary>
/// Metrics computed on finite sample sets with exact discrete OT (docs/method.md, "Metrics"). W2 here is the distance itself:
/// W2 = sqrt(mean |x_i - y_sigma(i)|^2) over the optimal assignment sigma, not squared and not halved.
/// </summary>
public static class SampleMetrics
{
    /// <summary>
    /// <c>pushforward_w2</c>: the exact-OT W2 between samples of T_hat#mu0 (<paramref name="pushedSamples"/>) and
    /// fresh samples of mu1 (<paramref name="targetSamples"/>), both n x d. Report it beside
    /// <see cref="PushforwardW2Floor"/>: even a perfect map scores about the floor, not 0.
    /// </summary>
    /// <exception cref="ArgumentException">Empty or non-finite samples, unequal counts or dimensions.</exception>
    public static double PushforwardW2(double[,] pushedSamples, double[,] targetSamples) =>
        EmpiricalW2(pushedSamples, targetSamples);

    /// <summary>
    /// <c>pushforward_w2_floor</c>: the exact-OT W2 between two independent sample sets of mu1 of the size used for
    /// <see cref="PushforwardW2"/>, the noise floor of that metric.
    /// </summary>
    /// <exception cref="ArgumentException">Empty or non-finite samples, unequal counts or dimensions.</exception>
    public static double PushforwardW2Floor(double[,] targetSamples, double[,] otherTargetSamples) =>
        EmpiricalW2(targetSamples, otherTargetSamples);

    /// <summary>Copies samples held in a tensor (n x d, any floating type and device) into the n x d array that the
    /// exact-OT metrics of this class take, for example <c>ToArray(result.Transport(x))</c>.</summary>
    /// <param name="samples">One sample per row.</param>
    /// <exception cref="ArgumentException">The tensor does not have two dimensions.</exception>
    public static double[,] ToArray(torch.Tensor samples) => PointSets.FromTensor(samples, nameof(samples));

    /// <summary>The W2 distance between the empirical measures of two equally sized sample sets (exact OT).</summary>
    /// <exception cref="ArgumentException">Empty or non-finite samples, unequal counts or dimensions.</exception>
    public static double EmpiricalW2(double[,] first, double[,] second)
    {
        // The quadratic cost is |v|^2 / 2, so the optimal mean cost is W2^2 / 2.
        var result = ExactTransport.Solve(first, second, QuadraticCost.Instance);
        return Math.Sqrt(2 * Math.Max(result.Cost, 0));
    }

    /// <summary>
    /// The optimal mean cost of exact OT between <paramref name="draws"/> independent pairs of sample sets of size
    /// <paramref name="size"/> from <paramref name="source"/> and <paramref name="target"/>, one value per draw: a
    /// reference for problems without a closed form. It overestimates the cost between the distributions: the
    /// optimal assignment between two finite samples also pays to move mass between the samples' random
    /// fluctuations, a term that shrinks like n^(-1/d) for d above 4, so slowly that at 5,000 samples it dominates in
    /// 10-D (compare <see cref="PushforwardW2Floor"/>, the same quantity between two samples of one distribution).
    /// </summary>
    /// <exception cref="ArgumentException">draws or size below 1, or mismatched dimensions.</exception>
    public static double[] ExactCostsOnSamples(IDistribution source, IDistribution target, ICost cost, int draws, int size, torch.Generator generator)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        if (draws < 1) throw new ArgumentOutOfRangeException(nameof(draws), draws, "At least one draw is needed.");
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), size, "At least one sample per side is needed.");
        var costs = new double[draws];
        for (var draw = 0; draw < draws; draw++)
        {
            using var scope = torch.NewDisposeScope();
            var x = PointSets.FromTensor(source.Sample(size, generator), "source");
            var y = PointSets.FromTensor(target.Sample(size, generator), "target");
            costs[draw] = ExactTransport.Solve(x, y, cost).Cost;
        }
        return costs;
    }

    /// <summary>
    /// In-sample map error, in percent: 100 * mean_i |T_hat(x_i) - y_sigma(i)|^2 / tr Cov(y), where sigma is the exact
    /// optimal assignment between the source samples x and the target samples y under <paramref name="cost"/>. It
    /// compares a learned map with the discrete OT map on the same samples (normalised like <c>l2_uvp</c>).
    /// </summary>
    /// <param name="sourceSamples">x_i, n x d.</param>
    /// <param name="mappedSamples">T_hat(x_i), n x d, row i the image of source row i.</param>
    /// <param name="targetSamples">y_j, n x d.</param>
    /// <param name="cost">The cost defining the assignment; defaults to quadratic.</param>
    /// <exception cref="ArgumentException">Mismatched shapes, non-finite samples, or target samples with zero variance.</exception>
    public static double InSampleMapError(double[,] sourceSamples, double[,] mappedSamples, double[,] targetSamples,
        ICost? cost = null)
    {
        ArgumentNullException.ThrowIfNull(mappedSamples);
        var assignment = ExactTransport.Solve(sourceSamples, targetSamples, cost).Assignment;
        int n = sourceSamples.GetLength(0), d = sourceSamples.GetLength(1);
        if (mappedSamples.GetLength(0) != n || mappedSamples.GetLength(1) != d)
            throw new ArgumentException(
                $"The mapped samples are {mappedSamples.GetLength(0)} x {mappedSamples.GetLength(1)} but the source samples are {n} x {d}; pass T_hat(x_i) for every source row, in the same order.",
                nameof(mappedSamples));

        double squaredError = 0;
        for (int i = 0; i < n; i++)
            for (int k = 0; k < d; k++)
            {
                double difference = mappedSamples[i, k] - targetSamples[assignment[i], k];
                squaredError += difference * difference;
            }

        double totalVariance = TotalVariance(targetSamples);
        if (!(totalVariance > 0))
            throw new ArgumentException(
                "The target samples have zero variance, so the relative error is undefined; pass distinct target samples.",
                nameof(targetSamples));
        return 100 * (squaredError / n) / totalVariance;
    }

    /// <summary>tr Cov(y) with the 1/n (population) normalisation.</summary>
    private static double TotalVariance(double[,] samples)
    {
        int n = samples.GetLength(0), d = samples.GetLength(1);
        double total = 0;
        for (int k = 0; k < d; k++)
        {
            double mean = 0;
            for (int i = 0; i < n; i++) mean += samples[i, k];
            mean /= n;
            for (int i = 0; i < n; i++)
            {
                double centred = samples[i, k] - mean;
                total += centred * centred;
            }
        }
        return total / n;
    }
}
