using NeuralOT.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Tests.Solvers;

[Collection(TrainingCollection.Name)]
public class InputConvexCriticTests
{
    [Theory]
    [InlineData(2, 16, 1)]
    [InlineData(10, 32, 3)]
    public void PsiIsConvexForAnyValueOfItsParameters(int dimension, int width, int depth)
    {
        torch.manual_seed(5);
        using var psi = new InputConvexNetwork(dimension, width, depth);
        using var scope = NewDisposeScope();
        // Free parameters anywhere (as training could leave them): convexity must hold by construction.
        using (no_grad())
            foreach (var parameter in psi.parameters())
                parameter.copy_(randn_like(parameter) * 3);
        var generator = new Generator(8);
        var a = randn(2000, dimension, generator: generator) * 4;
        var b = randn(2000, dimension, generator: generator) * 4;
        var gap = (psi.forward(a) + psi.forward(b)) / 2 - psi.forward((a + b) / 2);
        // Midpoint convexity, up to float32 rounding of values of this size.
        var tolerance = 1e-4 * (psi.forward(a).abs().max().item<float>() + 1);
        Assert.True(gap.min().item<float>() >= -tolerance, $"psi((a+b)/2) exceeds the mean of psi(a) and psi(b) by {-gap.min().item<float>()}");
    }

    [Fact]
    public void TheInputConvexCriticIsHalfTheSquaredNormMinusPsi()
    {
        torch.manual_seed(2);
        using var critic = new CriticNetwork(3, timeDependent: false, new NetworkOptions(32, 2, InputConvex: true));
        using var scope = NewDisposeScope();
        var y = randn(100, 3);
        var psi = critic.named_modules().Select(m => m.module).OfType<InputConvexNetwork>().Single();
        Assert.True((critic.forward(y) - (y.square().sum(1) / 2 - psi.forward(y))).abs().max().item<float>() < 1e-5);
    }

    [Fact]
    public void TheTimeFormRefusesAnInputConvexCritic()
    {
        var error = Assert.Throws<ArgumentException>(() => new CriticNetwork(2, timeDependent: true, new NetworkOptions(InputConvex: true)));
        Assert.Contains("static form", error.Message);
    }
}
