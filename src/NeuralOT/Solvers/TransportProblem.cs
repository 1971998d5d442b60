using NeuralOT.Costs;
using NeuralOT.Distributions;
using NeuralOT.Reference;

namespace NeuralOT.Solvers;

/// <summary>
/// One optimal-transport problem: the source mu0, the target mu1, the cost, and the closed-form solution when the
/// problem has one (<see cref="ClosedForm"/>). Built once, from a config (<c>ExperimentConfig.ToProblem()</c>) or in
/// code, and handed to the solver (<see cref="MinimaxSolver.Solve(TransportProblem, SolverOptions?, IProgress{TrainingProgress}?, CancellationToken, TrainingHooks?)"/>),
/// which keeps it in its result (<see cref="TransportResult.Problem"/>) for the metrics and the figures.
/// </summary>
/// <remarks>A problem built in code leaves its distributions to the caller; one built from a config owns the samplers
/// it created and frees them when disposed.</remarks>
public sealed class TransportProblem : IDisposable
{
    private readonly IReadOnlyList<IDisposable> _owned;
    private readonly Lazy<IClosedFormTransport?> _closedForm;
    private bool _disposed;

    /// <summary>The problem of transporting <paramref name="source"/> onto <paramref name="target"/> under
    /// <paramref name="cost"/>. The distributions stay the caller's: disposing the problem leaves them alone.</summary>
    /// <param name="source">mu0.</param>
    /// <param name="target">mu1, of the same dimension.</param>
    /// <param name="cost">The transport cost L.</param>
    /// <exception cref="ArgumentException">The dimensions differ (the parameter is <paramref name="target"/>).</exception>
    public TransportProblem(IDistribution source, IDistribution target, ICost cost)
        : this(source, target, cost, [])
    {
    }

    /// <summary>A problem that disposes <paramref name="owned"/> (samplers, a known map's potential) with itself.</summary>
    internal TransportProblem(IDistribution source, IDistribution target, ICost cost, IReadOnlyList<IDisposable> owned)
        : this(source, target, cost, owned, closedForm: null)
    {
    }

    private TransportProblem(IDistribution source, IDistribution target, ICost cost, IReadOnlyList<IDisposable> owned, Lazy<IClosedFormTransport?>? closedForm)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(cost);
        if (source.Dimension != target.Dimension)
            throw new ArgumentException(
                $"The source has dimension {source.Dimension} but the target has dimension {target.Dimension}; both distributions must live in the same space.",
                nameof(target));
        Source = source;
        Target = target;
        Cost = cost;
        _owned = owned;
        // Computed on first use: the Gaussian closed form takes matrix square roots that only the metrics need.
        _closedForm = closedForm ?? new Lazy<IClosedFormTransport?>(() => FindClosedForm(Source, Target));
    }

    /// <summary>mu0.</summary>
    public IDistribution Source { get; }

    /// <summary>mu1.</summary>
    public IDistribution Target { get; }

    /// <summary>The transport cost.</summary>
    public ICost Cost { get; }

    /// <summary>The dimension d of both distributions.</summary>
    public int Dimension => Source.Dimension;

    /// <summary>
    /// The exact solution the learned map is measured against, when the problem has one: a
    /// <see cref="GaussianTransport"/> for two Gaussians, the <see cref="KnownMapTransport"/> whose target this problem's
    /// target is (with this problem's source), under the quadratic cost; null otherwise (another pair, or another cost).
    /// The one place that decides whether a problem has a closed form.
    /// </summary>
    public IClosedFormTransport? ClosedForm => Cost is QuadraticCost ? _closedForm.Value : null;

    /// <summary>The same distributions under another cost (such as the quadratic solve that a power-cost run is compared
    /// with). The returned problem shares this one's distributions and closed form, and does not own them: dispose this
    /// one, not it.</summary>
    public TransportProblem WithCost(ICost cost) => new(Source, Target, cost, [], _closedForm);

    /// <summary>The closed form of the pair under the quadratic cost, decided by the distributions' types.</summary>
    private static IClosedFormTransport? FindClosedForm(IDistribution source, IDistribution target) => (source, target) switch
    {
        (GaussianDistribution gaussianSource, GaussianDistribution gaussianTarget) => new GaussianTransport(gaussianSource, gaussianTarget),
        // The known map is optimal only from the source it was built on.
        (_, KnownMapTarget known) when ReferenceEquals(known.Problem.Source, source) => known.Problem,
        _ => null,
    };

    /// <inheritdoc />
    public override string ToString() => $"{Source.Description} -> {Target.Description}, {Cost.Name} cost";

    /// <summary>Frees what the problem owns (nothing for a problem built in code). Calling it twice does nothing.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var owned in _owned) owned.Dispose();
    }
}
