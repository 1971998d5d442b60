using NeuralOT.Costs;
using NeuralOT.Distributions;
using NeuralOT.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Solvers;

/// <summary>
/// A trained phase-1 solution: the OT map T = Id + F, the critic, the training history and why training stopped.
/// Inputs and outputs of its methods are float64 tensors of shape n x d; outputs live on the CPU.
/// Owns its networks: dispose it when done.
/// </summary>
public sealed class TransportResult : IDisposable
{
    private const int EvaluationChunk = 65536;

    internal TransportResult(
        IDistribution source, IDistribution target, ICost cost, SolverOptions options,
        MapNetwork map, CriticNetwork critic, TrainingHistory history,
        ExitReason exitReason, string exitMessage, int iterationsCompleted, TimeSpan trainingTime)
    {
        Source = source;
        Target = target;
        Cost = cost;
        Options = options;
        Map = map;
        Critic = critic;
        History = history;
        ExitReason = exitReason;
        ExitMessage = exitMessage;
        IterationsCompleted = iterationsCompleted;
        TrainingTime = trainingTime;
    }

    /// <summary>The source distribution mu0.</summary>
    public IDistribution Source { get; }

    /// <summary>The target distribution mu1.</summary>
    public IDistribution Target { get; }

    /// <summary>The transport cost.</summary>
    public ICost Cost { get; }

    /// <summary>The resolved options that trained this result.</summary>
    public SolverOptions Options { get; }

    /// <summary>The map network (displacement F).</summary>
    public MapNetwork Map { get; }

    /// <summary>The critic network.</summary>
    public CriticNetwork Critic { get; }

    /// <summary>Recorded objectives and W_hat per iteration.</summary>
    public TrainingHistory History { get; }

    /// <summary>Why training stopped.</summary>
    public ExitReason ExitReason { get; }

    /// <summary>A one-line explanation of <see cref="ExitReason"/>.</summary>
    public string ExitMessage { get; }

    /// <summary>Outer iterations completed.</summary>
    public int IterationsCompleted { get; }

    /// <summary>Wall-clock training time.</summary>
    public TimeSpan TrainingTime { get; }

    /// <summary>The dimension d.</summary>
    public int Dimension => Map.Dimension;

    /// <summary>The displacement F(x) = T(x) - x.</summary>
    public Tensor Displacement(Tensor x) => Evaluate(x, points => Map.forward(points));

    /// <summary>The OT map T(x) = x + F(x).</summary>
    public Tensor Transport(Tensor x) => Evaluate(x, points => Map.Transport(points));

    /// <summary>T_t(x) = x + t F(x): where the particle starting at x is at time t on the geodesic.</summary>
    /// <param name="x">Starting points (n x d).</param>
    /// <param name="t">Time in [0, 1].</param>
    public Tensor Interpolate(Tensor x, double t)
    {
        CheckTime(t);
        return Evaluate(x, points => Map.Interpolate(points, t));
    }

    /// <summary>Samples of the geodesic mu_t = (T_t)#mu0.</summary>
    public Tensor SampleGeodesic(double t, int count, Generator generator)
    {
        CheckTime(t);
        using var source = Source.Sample(count, generator);
        return Interpolate(source, t);
    }

    /// <summary>Samples of T#mu0, which approximates the target.</summary>
    public Tensor SampleTarget(int count, Generator generator) => SampleGeodesic(1, count, generator);

    /// <summary>The mean transport cost E_{x~mu0} L(F(x)) on fresh samples: the estimate of the optimal cost.</summary>
    public double EstimateTransportCost(int count, Generator generator)
    {
        using var scope = NewDisposeScope();
        var source = Source.Sample(count, generator);
        return Cost.Lagrangian(Displacement(source)).mean().item<double>();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Map.Dispose();
        Critic.Dispose();
    }

    private Tensor Evaluate(Tensor x, Func<Tensor, Tensor> network)
    {
        if (x.dim() != 2 || x.shape[1] != Dimension)
            throw new ArgumentException($"Expected points of shape n x {Dimension}, got [{string.Join(", ", x.shape)}].", nameof(x));
        var parameter = Map.parameters().First();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var chunks = new List<Tensor>();
        for (long start = 0; start < x.shape[0]; start += EvaluationChunk)
        {
            var length = Math.Min(EvaluationChunk, x.shape[0] - start);
            var points = x.narrow(0, start, length).to(parameter.dtype, parameter.device);
            chunks.Add(network(points).to(float64, CPU));
        }
        var result = chunks.Count == 0 ? zeros(0, Dimension, dtype: float64) : cat(chunks, 0);
        return scope.MoveToOuter(result);
    }

    internal static void CheckTime(double t)
    {
        if (!(t >= 0 && t <= 1)) throw new ArgumentOutOfRangeException(nameof(t), t, $"t must lie in [0, 1] (got {t}).");
    }
}
