using NeuralOT.Distributions;
using NeuralOT.LinearAlgebra;
using NeuralOT.Reference;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Solvers;

/// <summary>
/// The optimal map between Gaussian fits of mu0 and mu1 for the quadratic cost, B(x) = A (x - m0) + m1 with A
/// symmetric positive definite (the Bures map of the sample means and covariances), and its critic: the map network
/// learns T(x) = B(x) + F(x) and the critic phi(y) = phi_B(y) + MLP(y), with phi_B(y) = |y|^2/2 - psi_B*(y) the
/// optimal critic of the Gaussian problem (psi_B*(y) = (y - b)^T A^-1 (y - b) / 2, b = m1 - A m0). Training starts at
/// the exact solution of the Gaussian fits and learns only what is not Gaussian. Unlike
/// <see cref="AffinePreconditioner"/> this is not a change of variables: B is a starting point, and the networks
/// may move the map anywhere, so the optimum is unchanged.
/// </summary>
public sealed class GaussianStart
{
    /// <summary>Samples per side used to fit the Gaussians.</summary>
    public const int EstimationSamples = 20_000;

    /// <summary>Creates the start from the map matrix A and offset b of B(x) = A x + b, and the fitted means and
    /// spreads (root mean variance per coordinate) of both sides, which set the units the networks work in.</summary>
    public GaussianStart(double[,] mapMatrix, double[] offset, double[] sourceMean, double sourceSpread, double[] targetMean, double targetSpread)
    {
        ArgumentNullException.ThrowIfNull(mapMatrix);
        ArgumentNullException.ThrowIfNull(offset);
        if (mapMatrix.GetLength(0) != offset.Length || mapMatrix.GetLength(1) != offset.Length)
            throw new ArgumentException($"The map matrix is {mapMatrix.GetLength(0)} x {mapMatrix.GetLength(1)} but the offset has length {offset.Length}.", nameof(offset));
        if (sourceMean.Length != offset.Length || targetMean.Length != offset.Length)
            throw new ArgumentException("The means must have the dimension of the offset.", nameof(targetMean));
        if (!(sourceSpread > 0 && targetSpread > 0)) throw new ArgumentOutOfRangeException(nameof(sourceSpread), "The spreads must be positive.");
        MapMatrix = (double[,])mapMatrix.Clone();
        Offset = (double[])offset.Clone();
        SourceMean = (double[])sourceMean.Clone();
        TargetMean = (double[])targetMean.Clone();
        SourceSpread = sourceSpread;
        TargetSpread = targetSpread;
    }

    /// <summary>m0, the source's sample mean.</summary>
    public double[] SourceMean { get; }

    /// <summary>m1, the target's sample mean.</summary>
    public double[] TargetMean { get; }

    /// <summary>sqrt(tr S0 / d): the source's spread per coordinate.</summary>
    public double SourceSpread { get; }

    /// <summary>sqrt(tr S1 / d): the target's spread per coordinate.</summary>
    public double TargetSpread { get; }

    /// <summary>A, symmetric positive definite.</summary>
    public double[,] MapMatrix { get; }

    /// <summary>b = m1 - A m0.</summary>
    public double[] Offset { get; }

    /// <summary>Fits both Gaussians on <see cref="EstimationSamples"/> samples per side. A ridge of 1e-6 times the
    /// mean variance keeps the covariances positive definite for data on a subspace (such as images).</summary>
    public static GaussianStart Estimate(IDistribution source, IDistribution target, Generator generator)
    {
        using var scope = NewDisposeScope();
        var (sourceMean, sourceCovariance) = Fit(source.Sample(EstimationSamples, generator));
        var (targetMean, targetCovariance) = Fit(target.Sample(EstimationSamples, generator));
        var transport = new GaussianTransport(new GaussianDistribution(sourceMean, sourceCovariance), new GaussianDistribution(targetMean, targetCovariance));
        var a = SymmetricMatrix.ToTensor(transport.MapMatrix);
        var offset = SymmetricMatrix.ToTensor(targetMean) - a.matmul(SymmetricMatrix.ToTensor(sourceMean));
        double Spread(double[,] covariance) => Math.Sqrt(Enumerable.Range(0, covariance.GetLength(0)).Average(i => covariance[i, i]));
        return new GaussianStart(transport.MapMatrix, SymmetricMatrix.ToVector(offset), sourceMean, Spread(sourceCovariance), targetMean, Spread(targetCovariance));
    }

    private static (double[] Mean, double[,] Covariance) Fit(Tensor samples)
    {
        using var scope = NewDisposeScope();
        var mean = samples.mean([0L]);
        var centred = samples - mean;
        var covariance = centred.t().matmul(centred) / (samples.shape[0] - 1);
        var d = covariance.shape[0];
        var ridge = 1e-6 * Math.Max(covariance.trace().item<double>() / d, 1e-12);
        covariance = SymmetricMatrix.Symmetrise(covariance + eye(d, dtype: float64) * ridge);
        return (SymmetricMatrix.ToVector(mean), SymmetricMatrix.ToMatrix(covariance));
    }

    /// <summary>B(x) - x = (A - I) x + b as the weight (A - I, d x d) and bias (b) of a linear layer, float32.</summary>
    internal (Tensor Weight, Tensor Bias) DisplacementLayer()
    {
        using var scope = NewDisposeScope();
        var a = SymmetricMatrix.ToTensor(MapMatrix);
        var weight = a - eye(a.shape[0], dtype: float64);
        return (scope.MoveToOuter(weight.to(float32)), scope.MoveToOuter(SymmetricMatrix.ToTensor(Offset).to(float32)));
    }

    /// <summary>A^-1 and b as float32 tensors, for <see cref="Networks.CriticNetwork.SetGaussianStart"/>.</summary>
    internal (Tensor InverseMap, Tensor Offset) CriticTerms()
    {
        using var scope = NewDisposeScope();
        var inverse = SymmetricMatrix.Symmetrise(linalg.inv(SymmetricMatrix.ToTensor(MapMatrix)));
        return (scope.MoveToOuter(inverse.to(float32)), scope.MoveToOuter(SymmetricMatrix.ToTensor(Offset).to(float32)));
    }
}
