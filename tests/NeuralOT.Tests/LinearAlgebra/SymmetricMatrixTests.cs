using NeuralOT.LinearAlgebra;
using static TorchSharp.torch;

namespace NeuralOT.Tests.LinearAlgebra;

public class SymmetricMatrixTests
{
    private static readonly double[,] Sa1 =
    {
        { 1, .5, 0, .3, .8 }, { .5, 1, -.8, 0, 0 }, { 0, -.8, 2, -.5, 0 }, { .3, 0, -.5, 1, 0 }, { .8, 0, 0, 0, 2 },
    };

    [Fact]
    public void SquareRootSquaresBackAndItsInverseInvertsIt()
    {
        using var scope = NewDisposeScope();
        var s = SymmetricMatrix.ToTensor(Sa1);
        var root = SymmetricMatrix.Sqrt(s);
        var inverseRoot = SymmetricMatrix.InverseSqrt(s);
        Assert.True(root.equal(root.mT).all().item<bool>());
        Assert.True(root.matmul(root).allclose(s, rtol: 0, atol: 1e-13));
        Assert.True(root.matmul(inverseRoot).allclose(eye(5, dtype: ScalarType.Float64), rtol: 0, atol: 1e-12));
        Assert.True(linalg.eigvalsh(root).min().item<double>() > 0);
    }

    [Fact]
    public void SquareRootOfASingularMatrixWithRoundingNegativeEigenvaluesHasNoNaN()
    {
        using var scope = NewDisposeScope();
        // An eigenvalue just below zero, as rounding produces, is treated as zero.
        var indefinite = SymmetricMatrix.Sqrt(SymmetricMatrix.ToTensor(new[,] { { 1.0, 0 }, { 0, -1e-18 } }));
        Assert.True(indefinite.allclose(tensor(new[,] { { 1.0, 0 }, { 0, 0 } }), rtol: 0, atol: 1e-15));

        // Rank one, v v^T with v = (1, 1/3, 1/7): here eigh returns a zero eigenvalue as about -3e-18.
        var v = tensor(new[] { 1.0, 1.0 / 3, 1.0 / 7 }, ScalarType.Float64).unsqueeze(1);
        var s = v.matmul(v.mT);
        var root = SymmetricMatrix.Sqrt(s);
        Assert.True(root.isfinite().all().item<bool>());
        Assert.True(root.matmul(root).allclose(s, rtol: 0, atol: 1e-7));
    }

    [Fact]
    public void SamplingFactorIsCholeskyWhenItSucceedsAndASquareRootOtherwise()
    {
        using var scope = NewDisposeScope();
        var spd = SymmetricMatrix.ToTensor(Sa1);
        var cholesky = SymmetricMatrix.SamplingFactor(spd);
        Assert.True(cholesky.allclose(linalg.cholesky(spd), rtol: 0, atol: 0));

        var singular = SymmetricMatrix.ToTensor(new[,] { { 1.0, 1 }, { 1, 1 } });
        var factor = SymmetricMatrix.SamplingFactor(singular);
        Assert.True(factor.isfinite().all().item<bool>());
        Assert.True(factor.matmul(factor.mT).allclose(singular, rtol: 0, atol: 1e-12));
    }

    [Fact]
    public void ConversionsRoundTrip()
    {
        using var scope = NewDisposeScope();
        var back = SymmetricMatrix.ToMatrix(SymmetricMatrix.ToTensor(Sa1));
        Assert.Equal(Sa1, back);
        double[] vector = [1.5, -2, 3e-300];
        Assert.Equal(vector, SymmetricMatrix.ToVector(SymmetricMatrix.ToTensor(vector)));
        var rectangular = new double[,] { { 1, 2, 3 }, { 4, 5, 6 } };
        Assert.Equal(rectangular, SymmetricMatrix.ToMatrix(SymmetricMatrix.ToTensor(rectangular).to(ScalarType.Float32)));
    }
}
