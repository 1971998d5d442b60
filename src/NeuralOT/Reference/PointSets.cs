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
}
