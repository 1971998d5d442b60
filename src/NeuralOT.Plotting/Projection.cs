using System.Globalization;
using NeuralOT.Distributions;
using NeuralOT.Solvers;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Plotting;

/// <summary>
/// An affine view of R^d on a plane: a point p is drawn at ((p - origin) . u, (p - origin) . w) for two orthonormal
/// directions u and w. Two coordinates of the space, or the first two principal components of a sample set. Being
/// affine, it maps straight particle paths to straight lines and arrows x -> T(x) to arrows, so every figure of a
/// run can share one projection.
/// </summary>
public sealed class Projection
{
    private readonly double[] _origin;
    private readonly double[] _first;
    private readonly double[] _second;

    private Projection(double[] origin, double[] first, double[] second, string xLabel, string yLabel, string description)
    {
        _origin = origin;
        _first = first;
        _second = second;
        XLabel = xLabel;
        YLabel = yLabel;
        Description = description;
    }

    /// <summary>The dimension d of the points it takes.</summary>
    public int Dimension => _origin.Length;

    /// <summary>The horizontal axis title.</summary>
    public string XLabel { get; }

    /// <summary>The vertical axis title.</summary>
    public string YLabel { get; }

    /// <summary>A few words for figure titles (empty for the identity view of a 2-D problem).</summary>
    public string Description { get; }

    /// <summary>The first direction u (a unit vector of R^d).</summary>
    public IReadOnlyList<double> FirstAxis => _first;

    /// <summary>The second direction w (a unit vector of R^d, orthogonal to u).</summary>
    public IReadOnlyList<double> SecondAxis => _second;

    /// <summary>The point drawn at (0, 0).</summary>
    public IReadOnlyList<double> Origin => _origin;

    /// <summary>Two coordinates of R^d, drawn as they are.</summary>
    /// <param name="dimension">d.</param>
    /// <param name="first">The horizontal coordinate, 0-based.</param>
    /// <param name="second">The vertical coordinate, 0-based, different from <paramref name="first"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">An index lies outside [0, d) or both are equal.</exception>
    public static Projection Coordinates(int dimension, int first, int second)
    {
        if (dimension < 2) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "A projection needs points of dimension 2 or more.");
        if (first < 0 || first >= dimension) throw new ArgumentOutOfRangeException(nameof(first), first, $"The coordinate index must lie in [0, {dimension}).");
        if (second < 0 || second >= dimension) throw new ArgumentOutOfRangeException(nameof(second), second, $"The coordinate index must lie in [0, {dimension}).");
        if (first == second) throw new ArgumentOutOfRangeException(nameof(second), second, "The two coordinates of a projection must differ.");
        var description = dimension == 2 && first == 0 && second == 1 ? "" : $"coordinates x{first + 1}, x{second + 1} of {dimension}";
        return new Projection(new double[dimension], UnitVector(dimension, first), UnitVector(dimension, second),
            $"x{first + 1}", $"x{second + 1}", description);
    }

    /// <summary>The first two principal components of <paramref name="samples"/> (n x d, n &gt;= 3), centred at their
    /// mean. Each direction's sign makes its largest entry positive, so the view does not flip between runs.</summary>
    /// <exception cref="ArgumentException">The samples are not an n x d tensor with n &gt;= 3 and d &gt;= 2.</exception>
    public static Projection PrincipalComponents(Tensor samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.dim() != 2 || samples.shape[0] < 3 || samples.shape[1] < 2)
            throw new ArgumentException($"samples has shape [{string.Join(", ", samples.shape)}]: pass an n x d tensor with n >= 3 and d >= 2.", nameof(samples));
        using var scope = NewDisposeScope();
        var points = samples.to(float64, CPU);
        var mean = points.mean([0]);
        var centred = points - mean;
        var covariance = centred.T.matmul(centred) / (points.shape[0] - 1);
        // eigh sorts eigenvalues in ascending order: the last two columns are the top components.
        var (values, vectors) = linalg.eigh(covariance);
        var d = (int)points.shape[1];
        var variances = values.data<double>().ToArray();
        var total = variances.Sum();
        var shares = total > 0 ? (variances[d - 1] / total, variances[d - 2] / total) : (0.0, 0.0);
        return new Projection(mean.data<double>().ToArray(), SignFixed(Column(vectors, d - 1)), SignFixed(Column(vectors, d - 2)),
            $"PC1 ({shares.Item1:P0} of variance)", $"PC2 ({shares.Item2:P0} of variance)",
            $"first two principal components (d = {d})");
    }

    /// <summary>The view used when none is given: the coordinates x1, x2 of a 2-D problem, else
    /// <see cref="PrincipalComponentsOf"/> the problem.</summary>
    /// <param name="source">mu0.</param>
    /// <param name="target">mu1, of the same dimension.</param>
    public static Projection Default(IDistribution source, IDistribution target) =>
        CheckedDimension(source, target) == 2 ? Coordinates(2, 0, 1) : PrincipalComponentsOf(source, target);

    /// <summary>The default view of a result's problem: <see cref="Default(IDistribution, IDistribution)"/>.</summary>
    public static Projection Default(TransportResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return Default(result.Source, result.Target);
    }

    /// <summary>The first two principal components of source and target samples pooled (4,096 of each, a fixed seed):
    /// the plane where the two distributions, and so the transport between them, spread the most.</summary>
    public static Projection PrincipalComponentsOf(IDistribution source, IDistribution target)
    {
        CheckedDimension(source, target);
        using var scope = NewDisposeScope();
        var generator = new Generator(1);
        return PrincipalComponents(cat([source.Sample(4096, generator), target.Sample(4096, generator)], 0));
    }

    /// <summary>
    /// Reads a projection as the command line writes it: <c>pca</c> (<see cref="PrincipalComponentsOf"/> the problem)
    /// or <c>coords:i,j</c> with 1-based coordinates as the axis titles show them (x1 ... xd).
    /// </summary>
    /// <param name="text">The text to read.</param>
    /// <param name="source">The problem's source distribution.</param>
    /// <param name="target">Its target distribution (the dimension bounds the coordinates).</param>
    /// <exception cref="ArgumentException">The text is neither form, or an index is out of range; the message says what is valid.</exception>
    public static Projection Parse(string text, IDistribution source, IDistribution target)
    {
        ArgumentNullException.ThrowIfNull(text);
        var d = CheckedDimension(source, target);
        if (text.Equals("pca", StringComparison.OrdinalIgnoreCase)) return PrincipalComponentsOf(source, target);
        const string prefix = "coords:";
        if (text.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            var parts = text[prefix.Length..].Split(',');
            if (parts.Length == 2
                && int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var i)
                && int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var j)
                && i >= 1 && i <= d && j >= 1 && j <= d && i != j)
                return Coordinates(d, i - 1, j - 1);
        }
        throw new ArgumentException(
            $"--projection \"{text}\" is not valid: use pca or coords:i,j with two different coordinates i, j in 1..{d}.", nameof(text));
    }

    /// <summary>The drawn positions of points (n x d): two arrays of length n.</summary>
    /// <exception cref="ArgumentException">The points do not have shape n x <see cref="Dimension"/>.</exception>
    public (double[] X, double[] Y) Apply(Tensor points)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.dim() != 2 || points.shape[1] != Dimension)
            throw new ArgumentException($"points has shape [{string.Join(", ", points.shape)}]; this projection takes n x {Dimension} points.", nameof(points));
        using var scope = NewDisposeScope();
        var centred = points.to(float64, CPU) - tensor(_origin, float64);
        return (centred.matmul(tensor(_first, float64)).data<double>().ToArray(),
                centred.matmul(tensor(_second, float64)).data<double>().ToArray());
    }

    /// <summary>The drawn components of vectors (n x d), such as velocities: the linear part of <see cref="Apply"/>.</summary>
    public (double[] X, double[] Y) ApplyToVectors(Tensor vectors)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        if (vectors.dim() != 2 || vectors.shape[1] != Dimension)
            throw new ArgumentException($"vectors has shape [{string.Join(", ", vectors.shape)}]; this projection takes n x {Dimension} vectors.", nameof(vectors));
        using var scope = NewDisposeScope();
        var v = vectors.to(float64, CPU);
        return (v.matmul(tensor(_first, float64)).data<double>().ToArray(), v.matmul(tensor(_second, float64)).data<double>().ToArray());
    }

    /// <summary>The points of R^d on the drawn plane at the given drawn positions: origin + x u + y w (n x d).
    /// Applying the projection to them gives the positions back.</summary>
    public Tensor Lift(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count) throw new ArgumentException($"x has {x.Count} entries but y has {y.Count}; pass one y per x.", nameof(y));
        using var scope = NewDisposeScope();
        var points = tensor(_origin, float64).unsqueeze(0)
                     + tensor(x.ToArray(), float64).unsqueeze(1) * tensor(_first, float64).unsqueeze(0)
                     + tensor(y.ToArray(), float64).unsqueeze(1) * tensor(_second, float64).unsqueeze(0);
        return scope.MoveToOuter(points);
    }

    /// <inheritdoc />
    public override string ToString() => Description.Length == 0 ? $"{XLabel}, {YLabel}" : Description;

    private static int CheckedDimension(IDistribution source, IDistribution target)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        if (source.Dimension != target.Dimension)
            throw new ArgumentException($"target has dimension {target.Dimension} but source has dimension {source.Dimension}; pass the two distributions of one problem.", nameof(target));
        return target.Dimension;
    }

    private static double[] UnitVector(int dimension, int index)
    {
        var v = new double[dimension];
        v[index] = 1;
        return v;
    }

    private static double[] Column(Tensor matrix, int index) => matrix[TensorIndex.Colon, index].contiguous().data<double>().ToArray();

    private static double[] SignFixed(double[] v)
    {
        var largest = v.MaxBy(Math.Abs);
        return largest < 0 ? v.Select(e => -e).ToArray() : v;
    }
}
