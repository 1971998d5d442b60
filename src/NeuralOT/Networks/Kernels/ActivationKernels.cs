using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NeuralOT.Networks.Kernels;

/// <summary>
/// The activations the fused kernels implement, with their first and second derivatives, computed in one pass over a
/// layer's pre-activations (plus bias) so that the backward passes read the derivatives instead of recomputing them.
/// Eight lanes at a time: 256-bit vectors run on every x64 machine with AVX2 and as fast per lane as 512-bit ones on
/// machines that split those in two.
/// </summary>
internal static unsafe class ActivationKernels
{
    /// <summary>Whether the kernels implement <paramref name="activation"/> (GELU needs erf and goes through autograd).</summary>
    public static bool Supports(Activation activation) =>
        activation is Activation.SiLU or Activation.Tanh or Activation.Softplus or Activation.ReLU;

    // PyTorch's Softplus returns its input above this threshold (beta = 1).
    private const float SoftplusThreshold = 20f;

    /// <summary>For <paramref name="rows"/> rows of <paramref name="columns"/> values (a multiple of 8), with
    /// z = values + bias: values := sigma(z), first := sigma'(z) and, when not null, second := sigma''(z).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(Activation activation, float* values, float* bias, int rows, int columns, float* first, float* second)
    {
        if (columns % 8 != 0) throw new ArgumentException($"The column count {columns} is not a multiple of 8.", nameof(columns));
        for (var r = 0; r < rows; r++)
        {
            var offset = (long)r * columns;
            for (var j = 0; j < columns; j += 8)
            {
                var at = offset + j;
                var z = Vector256.Load(values + at) + Vector256.Load(bias + j);
                var (value, d1, d2) = Evaluate(activation, z, second != null);
                value.Store(values + at);
                d1.Store(first + at);
                if (second != null) d2.Store(second + at);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float> Value, Vector256<float> First, Vector256<float> Second) Evaluate(Activation activation, Vector256<float> z, bool wantSecond)
    {
        var one = Vector256<float>.One;
        switch (activation)
        {
            case Activation.SiLU:
            {
                var s = one / (one + Exp(-z));
                var first = s * (one + z * (one - s));
                var second = wantSecond ? s * (one - s) * (Vector256.Create(2f) + z * (one - s - s)) : default;
                return (z * s, first, second);
            }
            case Activation.Tanh:
            {
                // tanh z = sign(z) (1 - e) / (1 + e) with e = exp(-2|z|), which never overflows.
                var e = Exp(Vector256.Create(-2f) * Vector256.Abs(z));
                var magnitude = (one - e) / (one + e);
                var t = Vector256.ConditionalSelect(Vector256.LessThan(z, Vector256<float>.Zero), -magnitude, magnitude);
                var first = one - t * t;
                return (t, first, wantSecond ? Vector256.Create(-2f) * t * first : default);
            }
            case Activation.Softplus:
            {
                var u = Exp(Vector256.Min(z, Vector256.Create(SoftplusThreshold)));
                var w = one + u;
                // log1p(u) without losing small u: log(w) u / (w - 1), and u itself where w rounds to 1.
                var log1p = Vector256.ConditionalSelect(Vector256.Equals(w, one), u, Vector256.Log(w) * u / (w - one));
                var value = Vector256.ConditionalSelect(Vector256.GreaterThan(z, Vector256.Create(SoftplusThreshold)), z, log1p);
                var s = u / w;
                return (value, s, wantSecond ? s * (one - s) : default);
            }
            case Activation.ReLU:
            {
                var positive = Vector256.GreaterThan(z, Vector256<float>.Zero);
                return (Vector256.ConditionalSelect(positive, z, Vector256<float>.Zero), Vector256.ConditionalSelect(positive, one, Vector256<float>.Zero), Vector256<float>.Zero);
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "The fused kernels do not implement this activation.");
        }
    }

    /// <summary>e^x to about 3e-7 relative: x = k ln 2 + r with |r| &lt;= ln 2 / 2 (ln 2 in two parts, so r is exact),
    /// e^r by its Taylor polynomial of degree 6, and 2^k put into the exponent bits. Below -87.3 it returns about
    /// 1e-38 rather than 0, above 88.3 about 2e38 rather than infinity.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Exp(Vector256<float> x)
    {
        x = Vector256.Min(Vector256.Max(x, Vector256.Create(-87.3f)), Vector256.Create(88.3f));
        var k = Vector256.Round(x * Vector256.Create(1.44269504f));
        var r = Vector256.FusedMultiplyAdd(k, Vector256.Create(-0.693145752f), x);
        r = Vector256.FusedMultiplyAdd(k, Vector256.Create(-1.42860677e-6f), r);
        var p = Vector256.Create(1f / 720);
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1f / 120));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1f / 24));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1f / 6));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(0.5f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256<float>.One);
        p = Vector256.FusedMultiplyAdd(p, r, Vector256<float>.One);
        return p * Vector256.ShiftLeft(Vector256.ConvertToInt32(k) + Vector256.Create(127), 23).AsSingle();
    }
}
