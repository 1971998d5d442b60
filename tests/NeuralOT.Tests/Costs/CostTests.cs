using NeuralOT.Costs;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Tests.Costs;

public class CostTests
{
    public static TheoryData<string> CostNames => new() { "quadratic", "power:1.5", "power:3", "power:1.2" };

    /// <summary>H(p) = sup_v (v.p - L(v)) is attained at v = grad H(p): check the value and that no other v does better.</summary>
    [Theory]
    [MemberData(nameof(CostNames))]
    public void HamiltonianIsTheLegendreTransformOfTheLagrangian(string name)
    {
        var cost = Cost.Parse(name);
        using var scope = NewDisposeScope();
        var generator = new Generator(11);
        var p = randn(new long[] { 200, 3 }, dtype: float64, generator: generator) * 2;
        var maximiser = cost.HamiltonianGradient(p);
        var attained = (maximiser * p).sum(1) - cost.Lagrangian(maximiser);
        AssertClose(cost.Hamiltonian(p), attained, 1e-9);

        // No perturbed velocity beats the maximiser: v.p - L(v) <= H(p) for random v near and far.
        for (var trial = 0; trial < 20; trial++)
        {
            var v = maximiser + randn(new long[] { 200, 3 }, dtype: float64, generator: generator) * (0.01 * (trial + 1));
            var value = (v * p).sum(1) - cost.Lagrangian(v);
            Assert.True((value - cost.Hamiltonian(p)).max().item<double>() <= 1e-9, $"{name}: a velocity beat the Legendre maximiser");
        }
    }

    [Theory]
    [MemberData(nameof(CostNames))]
    public void HamiltonianGradientInvertsTheLagrangianGradient(string name)
    {
        var cost = Cost.Parse(name);
        using var scope = NewDisposeScope();
        var v = randn(new long[] { 200, 4 }, dtype: float64, generator: new Generator(5)).requires_grad_(true);
        var gradL = autograd.grad([cost.Lagrangian(v).sum()], [v])[0];
        AssertClose(cost.HamiltonianGradient(gradL), v.detach(), 1e-8);
    }

    [Theory]
    [MemberData(nameof(CostNames))]
    public void HamiltonianGradientIsTheAutogradGradientOfH(string name)
    {
        var cost = Cost.Parse(name);
        using var scope = NewDisposeScope();
        var p = randn(new long[] { 100, 2 }, dtype: float64, generator: new Generator(3)).requires_grad_(true);
        var gradH = autograd.grad([cost.Hamiltonian(p).sum()], [p])[0];
        AssertClose(cost.HamiltonianGradient(p.detach()), gradH, 1e-9);
    }

    [Theory]
    [MemberData(nameof(CostNames))]
    public void ScalarLagrangianMatchesTheTensorOne(string name)
    {
        var cost = Cost.Parse(name);
        using var scope = NewDisposeScope();
        var v = randn(new long[] { 50, 3 }, dtype: float64, generator: new Generator(8));
        var tensorValues = cost.Lagrangian(v).data<double>().ToArray();
        for (var i = 0; i < 50; i++)
        {
            var row = v[i].data<double>().ToArray();
            Assert.Equal(tensorValues[i], cost.Lagrangian(row), 1e-12);
        }
    }

    [Fact]
    public void QuadraticCostHalvesTheSquaredNorm()
    {
        Assert.Equal(12.5, QuadraticCost.Instance.Lagrangian([3.0, 4.0]), 12);
        Assert.Equal(Math.Pow(5, 1.5) / 1.5, new PowerCost(1.5).Lagrangian([3.0, 4.0]), 12);
    }

    [Theory]
    [InlineData("power:1")]
    [InlineData("power:0.5")]
    [InlineData("power:abc")]
    [InlineData("cubic")]
    public void UnknownOrInvalidCostsAreRefusedWithTheFix(string name)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => Cost.Parse(name));
        Assert.Contains("p > 1", error.Message);
    }

    private static void AssertClose(Tensor expected, Tensor actual, double tolerance)
    {
        var gap = (expected - actual).abs().max().item<double>();
        var scale = Math.Max(1, expected.abs().max().item<double>());
        Assert.True(gap <= tolerance * scale, $"max gap {gap} exceeds {tolerance * scale}");
    }
}
