using NeuralOT.Dynamics;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Tests.Dynamics;

public class OdeIntegratorTests
{
    /// <summary>v(x, t) = (t x1, cos(t) x2): time-dependent, with the exact flow x1(t) = x1(0) e^(t^2 / 2),
    /// x2(t) = x2(0) e^(sin t).</summary>
    private static Tensor Field(Tensor x, double t) => x * tensor(new[] { t, Math.Cos(t) }, dtype: x.dtype);

    private static Tensor ExactFlow(Tensor x0, double t) => x0 * tensor(new[] { Math.Exp(t * t / 2), Math.Exp(Math.Sin(t)) }, dtype: x0.dtype);

    private static Tensor StartPoints() => tensor(new double[,] { { 1.0, -0.5 }, { -2.0, 1.5 }, { 0.3, 0.7 } });

    private static double Error(IntegrationMethod method, int steps, double t = 1.0)
    {
        using var scope = NewDisposeScope();
        var start = StartPoints();
        return (OdeIntegrator.Integrate(Field, start, t, method, steps) - ExactFlow(start, t)).abs().max().item<double>();
    }

    /// <summary>Halving the step divides the global error by 2^p: 2 for Euler, 4 for midpoint, 16 for RK4.
    /// Measured ratios from 8 to 16 to 32 steps: Euler 1.91 and 1.95, midpoint 3.83 and 3.92, RK4 16.09 and 16.07;
    /// the tolerance is 15 % either way.</summary>
    [Theory]
    [InlineData(IntegrationMethod.Euler)]
    [InlineData(IntegrationMethod.Midpoint)]
    [InlineData(IntegrationMethod.RK4)]
    public void HalvingTheStepDividesTheErrorByTwoToTheOrder(IntegrationMethod method)
    {
        var expected = Math.Pow(2, method.Order());
        var errors = new[] { 8, 16, 32 }.Select(steps => Error(method, steps)).ToArray();
        for (var k = 0; k + 1 < errors.Length; k++)
        {
            var ratio = errors[k] / errors[k + 1];
            Assert.True(ratio > 0.85 * expected && ratio < 1.15 * expected,
                $"{method}: error ratio {ratio:F3} between {8 << k} and {16 << k} steps, expected about {expected} (errors {string.Join(", ", errors.Select(e => e.ToString("E3")))})");
        }
    }

    /// <summary>The default step count of the metrics (measured error 9.0e-8 on this field).</summary>
    [Fact]
    public void RK4WithTwentyStepsIsAccurateToAboutOneInTenMillion()
    {
        Assert.True(Error(IntegrationMethod.RK4, 20) < 1e-6, $"error {Error(IntegrationMethod.RK4, 20):E3}");
    }

    [Fact]
    public void IntegratingToAnIntermediateTimeFollowsTheFlow()
    {
        Assert.True(Error(IntegrationMethod.RK4, 40, t: 0.37) < 1e-8);
        using var start = StartPoints();
        using var unchanged = OdeIntegrator.Integrate(Field, start, 0.0, IntegrationMethod.RK4, 5);
        Assert.Equal(0, (unchanged - start).abs().max().item<double>());
    }

    [Fact]
    public void TrajectoriesHoldEveryStepAndEndAtTheEndPoints()
    {
        using var scope = NewDisposeScope();
        var start = StartPoints();
        var trajectories = OdeIntegrator.Trajectories(Field, start, IntegrationMethod.Midpoint, 10);
        Assert.Equal(new long[] { 11, 3, 2 }, trajectories.shape);
        Assert.Equal(0, (trajectories[0] - start).abs().max().item<double>());
        var endPoints = OdeIntegrator.EndPoints(Field, start, IntegrationMethod.Midpoint, 10);
        Assert.True((trajectories[10] - endPoints).abs().max().item<double>() < 1e-12);
        var atThreeTenths = OdeIntegrator.Integrate(Field, start, 0.3, IntegrationMethod.Midpoint, 3);
        Assert.True((trajectories[3] - atThreeTenths).abs().max().item<double>() < 1e-12);
    }

    [Fact]
    public void TheStateKeepsTheDtypeOfTheStartPoints()
    {
        using var start = StartPoints().to(float32);
        using var end = OdeIntegrator.EndPoints((x, t) => Field(x.to(float64), t), start, IntegrationMethod.Euler, 4);
        Assert.Equal(float32, end.dtype);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void ANonPositiveStepCountIsRefused(int steps)
    {
        using var start = StartPoints();
        var error = Assert.ThrowsAny<ArgumentException>(() => OdeIntegrator.EndPoints(Field, start, IntegrationMethod.RK4, steps));
        Assert.Equal("steps", error.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => OdeIntegrator.Trajectories(Field, start, IntegrationMethod.RK4, steps));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void ATimeOutsideTheUnitIntervalIsRefused(double t)
    {
        using var start = StartPoints();
        var error = Assert.ThrowsAny<ArgumentException>(() => OdeIntegrator.Integrate(Field, start, t, IntegrationMethod.Euler, 4));
        Assert.Equal("t", error.ParamName);
    }

    [Fact]
    public void AFieldOfAnotherDimensionIsRefusedNamingTheField()
    {
        using var start = StartPoints();
        var error = Assert.Throws<ArgumentException>(() =>
            OdeIntegrator.EndPoints((x, _) => zeros(x.shape[0], 3, dtype: float64), start, IntegrationMethod.RK4, 4));
        Assert.Equal("field", error.ParamName);
        Assert.Contains("dimension", error.Message);
    }

    [Fact]
    public void StartPointsThatAreNotAMatrixAreRefused()
    {
        using var start = zeros(4, dtype: float64);
        var error = Assert.ThrowsAny<ArgumentException>(() => OdeIntegrator.EndPoints(Field, start, IntegrationMethod.RK4, 4));
        Assert.Equal("start", error.ParamName);
    }
}
