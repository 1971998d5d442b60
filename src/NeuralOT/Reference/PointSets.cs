using static TorchSharp.torch;

namespace NeuralOT.Reference;

/// <summary>Checks and converts the point sets that the reference solvers accept (n x d, finite).</summary>
internal static class PointSets
{
    /// <summary>Throws unless <paramref name="points"/> is a non-empty n x d array of finite numbers.</summary>
    public static void Validate(double[,] points, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(points, parameterName);
        if (points.GetLength(0) == 0 || points.GetLength(1) == 0)
            throw new ArgumentException(
                $"The point set is empty ({points.GetLength(0)} x {points.GetLength(1)}); pass at least one sample with at least one coordinate.",
                parameterName);
        int rows = points.GetLength(0), columns = points.GetLength(1);
        for (int i = 0; i < rows; i++)
            for (int k = 0; k < columns; k++)
                if (!double.IsFinite(points[i, k]))
                    throw new ArgumentException(
                        $"Sample {i} (0-based), coordinate {k} is {points[i, k]}; remove or fix non-finite samples before solving.",
                        parameterName);
    }

    /// <summary>Throws unless both point sets live in the same dimension.</summary>
    public static void ValidateSameDimension(double[,] source, double[,] target)
    {
        if (source.GetLength(1) != target.GetLength(1))
            throw new ArgumentException(
                $"The target samples have dimension {target.GetLength(1)} but the source samples have dimension {source.GetLength(1)}; both point sets must have the same number of columns.",
                nameof(target));
    }

    /// <summary>Copies a float tensor of shape n x d (any device) into a double array.</summary>
    public static double[,] FromTensor(Tensor points, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(points, parameterName);
        if (points.dim() != 2)
            throw new ArgumentException(
                $"Expected a tensor of shape n x d, got {points.dim()} dimensions; reshape the samples to one row per sample.",
                parameterName);
        int rows = checked((int)points.shape[0]), columns = checked((int)points.shape[1]);
        using var flat = points.detach().to(ScalarType.Float64).cpu().contiguous();
        var values = flat.data<double>().ToArray();
        var result = new double[rows, columns];
        Buffer.BlockCopy(values, 0, result, 0, values.Length * sizeof(double));
        return result;
    }

    /// <summary>Weights normalised to sum 1, or uniform ones when <paramref name="weights"/> is null.</summary>
    /// <exception cref="ArgumentException">Not one weight per sample, a negative or non-finite weight, or a zero sum.</exception>
    public static double[] NormaliseWeights(double[]? weights, int count, string parameterName)
    {
        if (weights is null)
        {
            var uniform = new double[count];
            Array.Fill(uniform, 1.0 / count);
            return uniform;
        }
        if (weights.Length != count)
            throw new ArgumentException(
                $"There are {weights.Length} weights for {count} samples; pass one weight per sample.", parameterName);
        if (count == 0)
            throw new ArgumentException("The weights are empty; pass at least one sample.", parameterName);
        double total = 0;
        foreach (var w in weights)
        {
            if (!(w >= 0) || double.IsInfinity(w))
                throw new ArgumentException(
                    $"Weight {w} is not a finite non-negative number; weights must be finite and >= 0.", parameterName);
            total += w;
        }
        if (!(total > 0))
            throw new ArgumentException("The weights sum to 0; give at least one sample positive weight.", parameterName);
        return weights.Select(w => w / total).ToArray();
    }

    /// <summary>Checks that a row-major cost matrix has n x m entries, all finite.</summary>
    /// <exception cref="ArgumentException">The wrong length, or an entry that is not finite.</exception>
    public static void ValidateCostMatrix(double[] costMatrix, int n, int m)
    {
        if (costMatrix.LongLength != (long)n * m)
            throw new ArgumentException(
                $"The cost matrix has {costMatrix.LongLength} entries, expected {n} x {m} = {(long)n * m} (source x target samples); pass a row-major n x m matrix.",
                nameof(costMatrix));
        for (int index = 0; index < costMatrix.Length; index++)
            if (!double.IsFinite(costMatrix[index]))
                throw new ArgumentException(
                    $"Cost matrix entry ({index / m}, {index % m}) is {costMatrix[index]}; every cost must be finite.",
                    nameof(costMatrix));
    }
}
