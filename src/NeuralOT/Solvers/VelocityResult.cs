using NeuralOT.Dynamics;
using NeuralOT.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Solvers;

/// <summary>
/// A trained phase-2 velocity field v(x, t) with its history and why training stopped, and the flow it generates.
/// Inputs and outputs of its methods are float64 tensors of shape n x d; outputs live on the CPU.
/// Owns its network: dispose it when done.
/// </summary>
public sealed class VelocityResult : IDisposable
{
    internal VelocityResult(
        VelocitySupervision supervision, VelocityOptions options, VelocityNetwork network, VelocityHistory history,
        ExitReason exitReason, string exitMessage, int iterationsCompleted, TimeSpan trainingTime)
    {
        Supervision = supervision;
        Options = options;
        Network = network;
        History = history;
        ExitReason = exitReason;
        ExitMessage = exitMessage;
        IterationsCompleted = iterationsCompleted;
        TrainingTime = trainingTime;
    }

    /// <summary>The data the field was regressed on.</summary>
    public VelocitySupervision Supervision { get; }

    /// <summary>The options that trained this result.</summary>
    public VelocityOptions Options { get; }

    /// <summary>The velocity network.</summary>
    public VelocityNetwork Network { get; }

    /// <summary>Recorded loss per iteration.</summary>
    public VelocityHistory History { get; }

    /// <summary>Why training stopped.</summary>
    public ExitReason ExitReason { get; }

    /// <summary>A one-line explanation of <see cref="ExitReason"/>.</summary>
    public string ExitMessage { get; }

    /// <summary>Iterations completed.</summary>
    public int IterationsCompleted { get; }

    /// <summary>Wall-clock training time.</summary>
    public TimeSpan TrainingTime { get; }

    /// <summary>The dimension d.</summary>
    public int Dimension => Network.Dimension;

    /// <summary>The learned velocity v(x, t) at one time.</summary>
    /// <param name="x">Points, n x d.</param>
    /// <param name="t">The time, in [0, 1].</param>
    /// <exception cref="ArgumentException"><paramref name="x"/> has the wrong shape or <paramref name="t"/> is outside [0, 1].</exception>
    public Tensor Velocity(Tensor x, double t)
    {
        TransportResult.CheckTime(t);
        CheckPoints(x, nameof(x));
        using var scope = NewDisposeScope();
        return scope.MoveToOuter(Velocity(x, full(x.shape[0], 1, t, dtype: float64)));
    }

    /// <summary>The learned velocity v(x, t) with one time per row (<paramref name="t"/>: n x 1).</summary>
    /// <exception cref="ArgumentException">A shape does not match.</exception>
    public Tensor Velocity(Tensor x, Tensor t)
    {
        CheckPoints(x, nameof(x));
        ArgumentNullException.ThrowIfNull(t);
        if (t.dim() != 2 || t.shape[0] != x.shape[0] || t.shape[1] != 1)
            throw new ArgumentException($"t has shape [{string.Join(", ", t.shape)}]: pass an n x 1 tensor with one time per row of x ({x.shape[0]}).", nameof(t));
        var parameter = Network.parameters().First();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var velocity = Network.forward(x.to(parameter.dtype, parameter.device), t.to(parameter.dtype, parameter.device));
        return scope.MoveToOuter(velocity.to(float64, CPU));
    }

    /// <summary>The field as a function for <see cref="OdeIntegrator"/>; its output has the dtype of its input.</summary>
    public Func<Tensor, double, Tensor> Field => (x, t) =>
    {
        using var scope = NewDisposeScope();
        return scope.MoveToOuter(Velocity(x, t).to(x.dtype));
    };

    /// <summary>X_t: the points integrated along the learned field from time 0 to <paramref name="t"/>.</summary>
    /// <param name="start">X_0, n x d (usually samples of mu0).</param>
    /// <param name="t">The end time, in [0, 1].</param>
    /// <param name="method">The scheme (RK4 by default).</param>
    /// <param name="steps">Equal steps on [0, t].</param>
    public Tensor Flow(Tensor start, double t, IntegrationMethod method = IntegrationMethod.RK4, int steps = DefaultSteps)
    {
        CheckPoints(start, nameof(start));
        return OdeIntegrator.Integrate(Field, start.to(float64, CPU), t, method, steps);
    }

    /// <summary>X_1: where the learned dynamics carry the points by time 1.</summary>
    /// <inheritdoc cref="Flow"/>
    public Tensor EndPoints(Tensor start, IntegrationMethod method = IntegrationMethod.RK4, int steps = DefaultSteps) =>
        Flow(start, 1.0, method, steps);

    /// <summary>Whole trajectories: a (steps + 1) x n x d tensor of the points at t = k / steps.</summary>
    public Tensor Trajectories(Tensor start, IntegrationMethod method = IntegrationMethod.RK4, int steps = DefaultSteps)
    {
        CheckPoints(start, nameof(start));
        return OdeIntegrator.Trajectories(Field, start.to(float64, CPU), method, steps);
    }

    /// <summary>The default step count of the flow methods and the metrics: RK4 with 20 steps integrates the smooth
    /// learned fields far below the training error (see <c>VelocityMetrics</c>).</summary>
    public const int DefaultSteps = 20;

    /// <inheritdoc />
    public void Dispose() => Network.Dispose();

    private void CheckPoints(Tensor x, string paramName)
    {
        ArgumentNullException.ThrowIfNull(x, paramName);
        if (x.dim() != 2 || x.shape[1] != Dimension)
            throw new ArgumentException($"{paramName} has shape [{string.Join(", ", x.shape)}]: the velocity field has dimension {Dimension}, pass an n x {Dimension} tensor.", paramName);
    }
}
