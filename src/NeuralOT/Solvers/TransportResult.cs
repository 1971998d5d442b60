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
        MapNetwork map, CriticNetwork critic, MapNetwork? reverseMap, CriticNetwork? reverseCritic,
        AffinePreconditioner? preconditioner, TrainingOutcome outcome)
        : this(new TransportProblem(source, target, cost), options, map, critic, reverseMap, reverseCritic, preconditioner, outcome)
    {
    }

    internal TransportResult(
        TransportProblem problem, SolverOptions options,
        MapNetwork map, CriticNetwork critic, MapNetwork? reverseMap, CriticNetwork? reverseCritic,
        AffinePreconditioner? preconditioner, TrainingOutcome outcome)
    {
        Problem = problem;
        Options = options;
        Map = map;
        Critic = critic;
        ReverseMap = reverseMap;
        ReverseCritic = reverseCritic;
        Preconditioner = preconditioner;
        History = outcome.History;
        ExitReason = outcome.ExitReason;
        ExitMessage = outcome.ExitMessage;
        IterationsCompleted = outcome.IterationsCompleted;
        TrainingTime = outcome.TrainingTime;
        Training = outcome.State;
        HeldOut = outcome.HeldOut;
    }

    /// <summary>What the held-out guard for finite data did (the split, its evaluations, the iteration kept); null
    /// when it did not act (samplers on both sides, the guard off), for a run that did not finish, or for a result
    /// loaded from a checkpoint written before checkpoints kept the guard's state.</summary>
    public HeldOutReport? HeldOut { get; }

    /// <summary>The problem this result solves (source, target, cost and closed form). The result does not own it:
    /// disposing the result leaves the problem to whoever built it.</summary>
    public TransportProblem Problem { get; }

    /// <summary>The source distribution mu0.</summary>
    public IDistribution Source => Problem.Source;

    /// <summary>The target distribution mu1.</summary>
    public IDistribution Target => Problem.Target;

    /// <summary>The transport cost.</summary>
    public ICost Cost => Problem.Cost;

    /// <summary>The resolved options that trained this result.</summary>
    public SolverOptions Options { get; }

    /// <summary>The map network (displacement F): with <see cref="SolverOptions.MapAveraging"/> (the default) the
    /// running average of the trained weights, else the last trained weights.</summary>
    public MapNetwork Map { get; }

    /// <summary>The critic network.</summary>
    public CriticNetwork Critic { get; }

    /// <summary>Bidirectional training: the reverse map network G (mu1 -> mu0), averaged like <see cref="Map"/>; null otherwise.</summary>
    public MapNetwork? ReverseMap { get; }

    /// <summary>Bidirectional training: the reverse direction's critic; null otherwise.</summary>
    public CriticNetwork? ReverseCritic { get; }

    /// <summary>The affine map P the networks were trained behind, or null. Every method of this class already
    /// composes with it, so outputs refer to the original problem.</summary>
    public AffinePreconditioner? Preconditioner { get; }

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

    /// <summary>Whether <see cref="MinimaxSolver.Resume"/> can continue this result: training stopped before its
    /// budget (cancelled, or a periodic checkpoint) and the optimiser state and sample stream were kept.</summary>
    public bool CanResume => ExitReason == ExitReason.Cancelled && Training is not null && IterationsCompleted < Options.Iterations;

    /// <summary>What training continues from (optimisers, sample stream); null for a result loaded from a
    /// checkpoint written without it.</summary>
    internal TrainingState? Training { get; }

    /// <summary>The displacement F(x) = T(x) - x.</summary>
    public Tensor Displacement(Tensor x) => Evaluate(x, Map, Preconditioner is { } p ? p.Apply : null, null);

    /// <summary>The OT map T(x) = x + F(x).</summary>
    public Tensor Transport(Tensor x) => WithDisplacement(x, Displacement, 1);

    /// <summary>T_t(x) = x + t F(x): where the particle starting at x is at time t on the geodesic.</summary>
    /// <param name="x">Starting points (n x d).</param>
    /// <param name="t">Time in [0, 1].</param>
    public Tensor Interpolate(Tensor x, double t)
    {
        CheckTime(t);
        return WithDisplacement(x, Displacement, t);
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

    /// <summary>Bidirectional training: the reverse displacement G(y) = T^-1(y) - y, for y in the target's space.</summary>
    /// <exception cref="InvalidOperationException">The result was not trained bidirectionally.</exception>
    public Tensor ReverseDisplacement(Tensor y) =>
        Evaluate(y, ReverseMap ?? throw new InvalidOperationException("This result has no reverse map: train with solver.bidirectional to get one."),
            null, Preconditioner is { } p ? p.Invert : null);

    /// <summary>Bidirectional training: the reverse map y + G(y), which approximates the inverse of T.</summary>
    public Tensor ReverseTransport(Tensor y) => WithDisplacement(y, ReverseDisplacement, 1);

    /// <summary>Bidirectional training: y + t G(y), the reverse geodesic from mu1 (t = 0) to mu0 (t = 1).</summary>
    public Tensor ReverseInterpolate(Tensor y, double t)
    {
        CheckTime(t);
        return WithDisplacement(y, ReverseDisplacement, t);
    }

    /// <summary>Bidirectional training: samples of the reverse geodesic (Id + t G)#mu1.</summary>
    public Tensor SampleReverseGeodesic(double t, int count, Generator generator)
    {
        CheckTime(t);
        using var target = Target.Sample(count, generator);
        return ReverseInterpolate(target, t);
    }

    /// <summary>The mean transport cost E_{x~mu0} L(F(x)) on fresh samples: the estimate of the optimal cost.</summary>
    public double EstimateTransportCost(int count, Generator generator)
    {
        using var scope = NewDisposeScope();
        var source = Source.Sample(count, generator);
        return Cost.Lagrangian(Displacement(source)).mean().item<double>();
    }

    /// <summary>
    /// The estimate of the optimal cost: the value of the saddle objective S(map, critic) on fresh samples. At the
    /// saddle S is stationary in the map, so a small error of the map changes it only to second order, where the
    /// plain mean cost E L(F(x)) changes to first order (on gaussian-2d: 0.001-0.03 % error in W2 against 0.2 %).
    /// With affine preconditioning the critic belongs to the preconditioned problem, so this falls back to
    /// <see cref="EstimateTransportCost"/>.
    /// </summary>
    /// <param name="count">Samples per side (the critic's spread makes the estimate noisier than E L(F(x)):
    /// use about a million).</param>
    /// <param name="generator">The stream the samples come from.</param>
    public double EstimateOptimalCost(int count, Generator generator)
    {
        if (Preconditioner is not null) return EstimateTransportCost(count, generator);
        var objective = SaddleObjective.For(Options.Critic, Cost);
        var parameter = Map.parameters().First();
        var total = 0.0;
        for (var start = 0; start < count; start += EvaluationChunk)
        {
            using var scope = NewDisposeScope();
            var n = Math.Min(EvaluationChunk, count - start);
            var batch = new MinibatchSamples(
                Source.Sample(n, generator).to(parameter.dtype, parameter.device),
                Target.Sample(n, generator).to(parameter.dtype, parameter.device),
                rand(n, 1, generator: generator).to(parameter.dtype, parameter.device));
            total += objective.CriticLoss(Map, Critic, batch).Objective!.to(float64).item<double>() * n;
        }
        return total / count;
    }

    /// <summary>Bidirectional training: the reverse map's mean cost E_{y~mu1} L(G(y)), another estimate of the optimal cost.</summary>
    public double EstimateReverseTransportCost(int count, Generator generator)
    {
        using var scope = NewDisposeScope();
        var target = Target.Sample(count, generator);
        return Cost.Lagrangian(ReverseDisplacement(target)).mean().item<double>();
    }

    /// <summary>Bidirectional training: E|T^-1(T(x)) - x|^2 + E|T(T^-1(y)) - y|^2 on fresh samples (zero when the
    /// reverse map inverts the forward one).</summary>
    public double CycleError(int count, Generator generator)
    {
        using var scope = NewDisposeScope();
        var x = Source.Sample(count, generator);
        var y = Target.Sample(count, generator);
        var forwardCycle = (ReverseTransport(Transport(x)) - x).square().sum(1).mean().item<double>();
        var reverseCycle = (Transport(ReverseTransport(y)) - y).square().sum(1).mean().item<double>();
        return forwardCycle + reverseCycle;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Map.Dispose();
        Critic.Dispose();
        ReverseMap?.Dispose();
        ReverseCritic?.Dispose();
        // With map averaging the result holds the averages; the trained maps live in the training state.
        foreach (var direction in Training?.Directions ?? [])
            if (direction.AveragedMap is not null) direction.Map.Dispose();
    }

    private static Tensor WithDisplacement(Tensor x, Func<Tensor, Tensor> displacement, double t)
    {
        using var scope = NewDisposeScope();
        return scope.MoveToOuter(x.to(float64, CPU) + displacement(x) * t);
    }

    /// <summary>
    /// The displacement of a map network composed with the preconditioner, in float64 on the CPU:
    /// before(x) enters the network, and the point reached is after(before(x) + net(before(x))); without a
    /// preconditioner both are the identity and the result is net(x).
    /// </summary>
    private Tensor Evaluate(Tensor x, MapNetwork network, Func<Tensor, Tensor>? before, Func<Tensor, Tensor>? after)
    {
        if (x.dim() != 2 || x.shape[1] != Dimension)
            throw new ArgumentException($"Expected points of shape n x {Dimension}, got [{string.Join(", ", x.shape)}].", nameof(x));
        var parameter = network.parameters().First();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var chunks = new List<Tensor>();
        for (long start = 0; start < x.shape[0]; start += EvaluationChunk)
        {
            var points = x.narrow(0, start, Math.Min(EvaluationChunk, x.shape[0] - start)).to(float64, CPU);
            var input = before is null ? points : before(points);
            var moved = input + network.forward(input.to(parameter.dtype, parameter.device)).to(float64, CPU);
            chunks.Add((after is null ? moved : after(moved)) - points);
        }
        var result = chunks.Count == 0 ? zeros(0, Dimension, dtype: float64) : cat(chunks, 0);
        return scope.MoveToOuter(result);
    }

    internal static void CheckTime(double t)
    {
        if (!(t >= 0 && t <= 1)) throw new ArgumentOutOfRangeException(nameof(t), t, $"t must lie in [0, 1] (got {t}).");
    }
}
