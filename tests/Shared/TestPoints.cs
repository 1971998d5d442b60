namespace NeuralOT.Tests.Reference;

/// <summary>Seeded random point sets for tests.</summary>
internal static class TestPoints
{
    public static double[,] Gaussian(int seed, int n, int d, double mean = 0, double scale = 1)
    {
        var random = new Random(seed);
        var points = new double[n, d];
        for (int i = 0; i < n; i++)
            for (int k = 0; k < d; k++)
            {
                double u = 1 - random.NextDouble(), v = random.NextDouble();
                points[i, k] = mean + scale * Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v);
            }
        return points;
    }

    /// <summary>Rows order[0], order[1], ... of <paramref name="points"/> (a permutation or a selection).</summary>
    public static double[,] PermuteRows(double[,] points, int[] order)
    {
        int n = order.Length, d = points.GetLength(1);
        var result = new double[n, d];
        for (int i = 0; i < n; i++)
            for (int k = 0; k < d; k++)
                result[i, k] = points[order[i], k];
        return result;
    }

    public static int[] RandomPermutation(int seed, int n)
    {
        var order = Enumerable.Range(0, n).ToArray();
        new Random(seed).Shuffle(order);
        return order;
    }
}
