using static TorchSharp.torch;

namespace NeuralOT.Distributions;

/// <summary>Small tensor steps shared by the 2-D toy samplers; every draw uses the caller's generator.</summary>
internal static class ToySampling
{
    /// <summary>count independent U[0, 1) draws, float64.</summary>
    public static Tensor Uniform(int count, Generator generator) =>
        rand(new long[] { count }, ScalarType.Float64, generator: generator);

    /// <summary>count independent integers, uniform on {0, ..., choices - 1}, as float64.</summary>
    public static Tensor Choice(int count, int choices, Generator generator) =>
        randint(choices, new long[] { count }, ScalarType.Float64, generator: generator);

    /// <summary>Stacks x and y into a count x 2 tensor.</summary>
    public static Tensor Points(Tensor x, Tensor y) => stack(new[] { x, y }, 1);

    /// <summary>Adds isotropic N(0, noise^2 I) jitter; draws nothing when noise is zero.</summary>
    public static Tensor AddNoise(Tensor points, double noise, Generator generator) =>
        noise == 0 ? points : points.add(randn(points.shape, ScalarType.Float64, generator: generator).mul_(noise));
}
