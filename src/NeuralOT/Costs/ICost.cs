using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Costs;

/// <summary>
/// A translation-invariant transport cost c(x, y) = L(y - x), with L even, strictly convex and superlinear.
/// The solvers need L (the cost of a displacement), its Legendre transform H and grad H = (grad L)^-1;
/// implement these four members to add a cost.
/// </summary>
public interface ICost
{
    /// <summary>Short name as written in configs, for example <c>quadratic</c> or <c>power:1.5</c>.</summary>
    string Name { get; }

    /// <summary>L(v) for each row of <paramref name="v"/> (shape n x d); returns shape n.</summary>
    Tensor Lagrangian(Tensor v);

    /// <summary>H(p) = sup_v (v . p - L(v)) for each row of <paramref name="p"/> (shape n x d); returns shape n.
    /// Must be differentiable twice by autograd: the map update differentiates through it.</summary>
    Tensor Hamiltonian(Tensor p);

    /// <summary>grad H(p), the inverse of grad L, row by row (n x d -> n x d).</summary>
    Tensor HamiltonianGradient(Tensor p);

    /// <summary>L(v) for one displacement vector, in double precision (reference solvers build cost matrices with it).</summary>
    double Lagrangian(ReadOnlySpan<double> v);
}
