using NeuralOT.Distributions;
using NeuralOT.Plotting;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Tests.Plotting;

public class ProjectionTests
{
    [Fact]
    public void PrincipalComponentsRecoverTheTopAxesOfARotatedCloud()
    {
        // Standard deviations 3, 2 and 0.1 along the columns of a rotation R: the top two components are R e1 and R e2.
        var rotation = Rotation3D(0.7, -0.4, 1.1);
        var generator = new Generator(11);
        var scales = tensor(new[] { 3.0, 2.0, 0.1 }, float64);
        var points = (randn(20000, 3, dtype: float64, generator: generator) * scales).matmul(rotation.T) + tensor(new[] { 5.0, -2.0, 1.0 }, float64);

        var projection = Projection.PrincipalComponents(points);

        var top = rotation[TensorIndex.Colon, 0].data<double>().ToArray();
        var second = rotation[TensorIndex.Colon, 1].data<double>().ToArray();
        Assert.True(Math.Abs(Dot(projection.FirstAxis, top)) > 0.999, "the first axis is the direction of largest spread");
        Assert.True(Math.Abs(Dot(projection.SecondAxis, second)) > 0.999, "the second axis is the next one");
        Assert.Equal(0, Dot(projection.FirstAxis, projection.SecondAxis), 1e-12);
        Assert.Equal(1, Dot(projection.FirstAxis, projection.FirstAxis), 1e-12);
        // Signs are fixed: the largest entry of each axis is positive.
        Assert.True(projection.FirstAxis.MaxBy(Math.Abs) > 0 && projection.SecondAxis.MaxBy(Math.Abs) > 0);
        // Centred at the mean, with the spread of each component along each drawn axis.
        var (x, y) = projection.Apply(points);
        Assert.Equal(0, x.Average(), 1e-9);
        Assert.Equal(3, StandardDeviation(x), 0.06);
        Assert.Equal(2, StandardDeviation(y), 0.04);
        Assert.StartsWith("PC1", projection.XLabel);
    }

    [Fact]
    public void CoordinatesAreDrawnAsTheyAreAndLiftingInvertsTheProjection()
    {
        var projection = Projection.Coordinates(4, 2, 0);
        var points = tensor(new double[,] { { 1, 2, 3, 4 }, { -1, 0, 5, 2 } });
        var (x, y) = projection.Apply(points);
        Assert.Equal(new[] { 3.0, 5.0 }, x);
        Assert.Equal(new[] { 1.0, -1.0 }, y);
        Assert.Equal(("x3", "x1"), (projection.XLabel, projection.YLabel));

        var pca = Projection.PrincipalComponents(randn(100, 4, dtype: float64, generator: new Generator(3)));
        using var lifted = pca.Lift([0.5, -2], [1.5, 3]);
        var (lx, ly) = pca.Apply(lifted);
        Assert.Equal(new[] { 0.5, -2 }, lx.Select(v => Math.Round(v, 12)));
        Assert.Equal(new[] { 1.5, 3.0 }, ly.Select(v => Math.Round(v, 12)));
    }

    [Fact]
    public void ParseReadsTheCommandLineFormsAndNamesTheValidOnes()
    {
        var source = GaussianDistribution.StandardNormal(5);
        var target = new GaussianDistribution([0, 0, 0, 0, 6], IdentityTimes(5, 0.25));
        var coordinates = Projection.Parse("coords:5,2", source, target);
        Assert.Equal(1.0, coordinates.FirstAxis[4]);
        Assert.Equal(1.0, coordinates.SecondAxis[1]);
        // The principal components pool source and target: the shift between them (along x5) is the top axis.
        var pca = Projection.Parse("pca", source, target);
        Assert.StartsWith("PC1", pca.XLabel);
        Assert.True(pca.FirstAxis[4] > 0.99, "the first component follows the transport");
        Assert.Equal("x1", Projection.Default(GaussianDistribution.StandardNormal(2), GaussianDistribution.StandardNormal(2)).XLabel);
        Assert.Throws<ArgumentException>(() => Projection.Default(source, GaussianDistribution.StandardNormal(3)));

        foreach (var bad in new[] { "coords:0,1", "coords:1,1", "coords:1,6", "coords:1", "pcaa", "" })
        {
            var error = Assert.Throws<ArgumentException>(() => Projection.Parse(bad, source, target));
            Assert.Contains("coords:i,j", error.Message);
            Assert.Contains("1..5", error.Message);
        }
    }

    private static double[,] IdentityTimes(int d, double scale)
    {
        var matrix = new double[d, d];
        for (var i = 0; i < d; i++) matrix[i, i] = scale;
        return matrix;
    }

    private static Tensor Rotation3D(double a, double b, double c)
    {
        var rx = tensor(new[,] { { 1, 0, 0 }, { 0, Math.Cos(a), -Math.Sin(a) }, { 0, Math.Sin(a), Math.Cos(a) } });
        var ry = tensor(new[,] { { Math.Cos(b), 0, Math.Sin(b) }, { 0, 1, 0 }, { -Math.Sin(b), 0, Math.Cos(b) } });
        var rz = tensor(new[,] { { Math.Cos(c), -Math.Sin(c), 0 }, { Math.Sin(c), Math.Cos(c), 0 }, { 0, 0, 1 } });
        return rz.matmul(ry).matmul(rx);
    }

    private static double Dot(IReadOnlyList<double> a, IReadOnlyList<double> b) => a.Zip(b, (u, v) => u * v).Sum();

    private static double StandardDeviation(double[] values)
    {
        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
    }
}
