using static TorchSharp.torch;

namespace NeuralOT.Tests.Distributions;

/// <summary>
/// Compares the empirical mean and covariance of samples with expected values. Tolerances are a number of standard
/// errors, each estimated from the samples themselves (std of x_i, and std of the centred products x_i x_j, over
/// sqrt(n)), so they hold for any distribution with finite fourth moments, not only Gaussians.
/// </summary>
internal static class SampleMoments
{
    /// <summary>Five standard errors: a false alarm has probability below 1e-6 per entry.</summary>
    public const double DefaultStandardErrors = 5.0;

    public static void AssertMatch(Tensor samples, double[] expectedMean, double[,] expectedCovariance, double standardErrors = DefaultStandardErrors)
    {
        using var scope = NewDisposeScope();
        long n = samples.shape[0];
        int d = (int)samples.shape[1];
        Assert.Equal(expectedMean.Length, d);
        var x = samples.to(ScalarType.Float64);
        var mean = x.mean(new long[] { 0 });
        var meanStandardError = x.std(0).div(Math.Sqrt(n));
        var empiricalMean = mean.data<double>().ToArray();
        var meanError = meanStandardError.data<double>().ToArray();
        for (int i = 0; i < d; i++)
            Assert.True(Math.Abs(empiricalMean[i] - expectedMean[i]) <= standardErrors * meanError[i],
                $"mean[{i}]: empirical {empiricalMean[i]}, expected {expectedMean[i]}, standard error {meanError[i]}");

        // Centre on the expected mean so the estimator E[(x - m)(x - m)^T] is unbiased for the expected covariance.
        var centred = x.sub(tensor(expectedMean, ScalarType.Float64));
        var products = centred.unsqueeze(2).mul(centred.unsqueeze(1)).reshape(n, d * d);
        var covariance = products.mean(new long[] { 0 }).data<double>().ToArray();
        var covarianceError = products.std(0).div(Math.Sqrt(n)).data<double>().ToArray();
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
            {
                int k = i * d + j;
                Assert.True(Math.Abs(covariance[k] - expectedCovariance[i, j]) <= standardErrors * covarianceError[k],
                    $"covariance[{i},{j}]: empirical {covariance[k]}, expected {expectedCovariance[i, j]}, standard error {covarianceError[k]}");
            }
    }
}
