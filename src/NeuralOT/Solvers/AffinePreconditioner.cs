using NeuralOT.Distributions;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Solvers;

/// <summary>Whether the solver moves mu0 onto mu1 by an affine map before training (quadratic cost only).</summary>
public enum Preconditioning
{
    /// <summary>Train on mu0 as given.</summary>
    None,
    /// <summary>Train from P#mu0 to mu1 with P(x) = s (x - m0) + m1, matching the means and the overall scale; the
    /// learned map is composed with P afterwards, so every output refers to the original problem.</summary>
    Affine,
    /// <summary>Start the map and the critic at the optimal solution between Gaussian fits of mu0 and mu1 and learn
    /// the rest (<see cref="GaussianStart"/>); static form, quadratic cost, one direction.</summary>
    Gaussian,
}

/// <summary>
/// The map P(x) = Scale (x - SourceMean) + TargetMean, which moves mu0 onto mu1's mean and overall scale. For the
/// quadratic cost, if T_hat is the OT map from P#mu0 to mu1 then T_hat o P is the OT map from mu0 to mu1
/// (Theorem 3 of arXiv 2102.02992: a scalar scaling plus a shift is the gradient of a convex function, and so is
/// the composition), so training the small residual T_hat and composing is exact, not an approximation.
/// </summary>
public sealed class AffinePreconditioner
{
    /// <summary>Samples per side used to estimate the moments.</summary>
    public const int EstimationSamples = 20_000;

    /// <summary>Creates P(x) = scale (x - sourceMean) + targetMean.</summary>
    public AffinePreconditioner(double scale, double[] sourceMean, double[] targetMean)
    {
        if (!(scale > 0 && double.IsFinite(scale))) throw new ArgumentOutOfRangeException(nameof(scale), scale, "The scale must be a positive number.");
        if (sourceMean.Length != targetMean.Length) throw new ArgumentException("The two means must have the same dimension.", nameof(targetMean));
        Scale = scale;
        SourceMean = (double[])sourceMean.Clone();
        TargetMean = (double[])targetMean.Clone();
    }

    /// <summary>The scalar s = sqrt(tr Cov(mu1) / tr Cov(mu0)).</summary>
    public double Scale { get; }

    /// <summary>m0, the mean of mu0.</summary>
    public double[] SourceMean { get; }

    /// <summary>m1, the mean of mu1.</summary>
    public double[] TargetMean { get; }

    /// <summary>Estimates the moments from <see cref="EstimationSamples"/> samples of each side.</summary>
    public static AffinePreconditioner Estimate(IDistribution source, IDistribution target, Generator generator)
    {
        using var scope = NewDisposeScope();
        var x = source.Sample(EstimationSamples, generator);
        var y = target.Sample(EstimationSamples, generator);
        var scale = Math.Sqrt(y.var([0L]).sum().item<double>() / x.var([0L]).sum().item<double>());
        return new AffinePreconditioner(scale, x.mean([0L]).data<double>().ToArray(), y.mean([0L]).data<double>().ToArray());
    }

    /// <summary>P(x), row by row, in the dtype and on the device of <paramref name="x"/>.</summary>
    public Tensor Apply(Tensor x)
    {
        using var scope = NewDisposeScope();
        return scope.MoveToOuter((x - Vector(SourceMean, x)) * Scale + Vector(TargetMean, x));
    }

    /// <summary>P^-1(y), row by row.</summary>
    public Tensor Invert(Tensor y)
    {
        using var scope = NewDisposeScope();
        return scope.MoveToOuter((y - Vector(TargetMean, y)) / Scale + Vector(SourceMean, y));
    }

    /// <summary>The distribution P#mu.</summary>
    public IDistribution PushForward(IDistribution distribution) => new Pushed(this, distribution);

    private static Tensor Vector(double[] values, Tensor like) => tensor(values, dtype: like.dtype, device: like.device);

    private sealed class Pushed(AffinePreconditioner map, IDistribution inner) : IDistribution
    {
        public int Dimension => inner.Dimension;

        public string Description => $"affine image of {inner.Description}";

        public Tensor Sample(int count, Generator generator)
        {
            using var scope = NewDisposeScope();
            return scope.MoveToOuter(map.Apply(inner.Sample(count, generator)));
        }
    }
}
