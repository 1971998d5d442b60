using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Dynamics;

/// <summary>
/// Moves particles along a velocity field: integrates dX/dt = v(X, t) from t = 0 with a fixed-step scheme. Works on
/// any field given as a function (x, t) -> v of an n x d tensor of points and one time, returning n x d velocities
/// (a learned network, a closed form, a test field). The state keeps the dtype and device of the start points.
/// </summary>
public static class OdeIntegrator
{
    /// <summary>X_t: the particles integrated from time 0 to time <paramref name="t"/> in <paramref name="steps"/>
    /// equal steps of size t / steps.</summary>
    /// <param name="field">The velocity field v(x, t).</param>
    /// <param name="start">X_0, n x d.</param>
    /// <param name="t">The end time, in [0, 1].</param>
    /// <param name="method">The scheme.</param>
    /// <param name="steps">The number of steps (at least 1).</param>
    /// <returns>X_t, n x d, a new tensor.</returns>
    /// <exception cref="ArgumentException">An argument is out of range or the field's output does not match the points (the parameter is named).</exception>
    public static Tensor Integrate(Func<Tensor, double, Tensor> field, Tensor start, double t, IntegrationMethod method, int steps)
    {
        Check(field, start, method, steps);
        CheckTime(t);
        var state = start.detach().clone();
        var stepSize = t / steps;
        for (var k = 0; k < steps; k++)
        {
            var next = Advance(field, state, k * stepSize, stepSize, method);
            state.Dispose();
            state = next;
        }
        return state;
    }

    /// <summary>X_1: the end points of the flow from time 0 to 1.</summary>
    /// <inheritdoc cref="Integrate(Func{Tensor, double, Tensor}, Tensor, double, IntegrationMethod, int)"/>
    public static Tensor EndPoints(Func<Tensor, double, Tensor> field, Tensor start, IntegrationMethod method, int steps) =>
        Integrate(field, start, 1.0, method, steps);

    /// <summary>Whole trajectories on [0, 1]: the particles at the times k / steps, k = 0..steps.</summary>
    /// <param name="field">The velocity field v(x, t).</param>
    /// <param name="start">X_0, n x d.</param>
    /// <param name="method">The scheme.</param>
    /// <param name="steps">The number of steps (at least 1).</param>
    /// <returns>A (steps + 1) x n x d tensor; slice k holds X at t = k / steps.</returns>
    /// <exception cref="ArgumentException">An argument is out of range or the field's output does not match the points.</exception>
    public static Tensor Trajectories(Func<Tensor, double, Tensor> field, Tensor start, IntegrationMethod method, int steps)
    {
        Check(field, start, method, steps);
        using var scope = NewDisposeScope();
        var states = new List<Tensor>(steps + 1) { start.detach().clone() };
        var stepSize = 1.0 / steps;
        for (var k = 0; k < steps; k++)
            states.Add(Advance(field, states[^1], k * stepSize, stepSize, method));
        return scope.MoveToOuter(stack(states));
    }

    /// <summary>One step of the scheme from (x, t) with step h; the intermediate tensors are released at once.</summary>
    private static Tensor Advance(Func<Tensor, double, Tensor> field, Tensor x, double t, double h, IntegrationMethod method)
    {
        using var scope = NewDisposeScope();
        Tensor next;
        switch (method)
        {
            case IntegrationMethod.Euler:
                next = x + h * Evaluate(field, x, t);
                break;
            case IntegrationMethod.Midpoint:
                var half = x + (h / 2) * Evaluate(field, x, t);
                next = x + h * Evaluate(field, half, t + h / 2);
                break;
            case IntegrationMethod.RK4:
                var k1 = Evaluate(field, x, t);
                var k2 = Evaluate(field, x + (h / 2) * k1, t + h / 2);
                var k3 = Evaluate(field, x + (h / 2) * k2, t + h / 2);
                var k4 = Evaluate(field, x + h * k3, t + h);
                next = x + (h / 6) * (k1 + 2 * k2 + 2 * k3 + k4);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown integration method.");
        }
        return scope.MoveToOuter(next);
    }

    private static Tensor Evaluate(Func<Tensor, double, Tensor> field, Tensor x, double t)
    {
        // Rounding can carry the last stage a hair past the end time; fields that check t in [0, 1] must not fail on it.
        var velocity = field(x, Math.Min(t, 1.0));
        if (!velocity.shape.SequenceEqual(x.shape))
            throw new ArgumentException(
                $"The field returned velocities of shape [{string.Join(", ", velocity.shape)}] for points of shape [{string.Join(", ", x.shape)}]: the field and the samples must have the same dimension.",
                nameof(field));
        return velocity.to(x.dtype, x.device);
    }

    private static void Check(Func<Tensor, double, Tensor> field, Tensor start, IntegrationMethod method, int steps)
    {
        ArgumentNullException.ThrowIfNull(field);
        ArgumentNullException.ThrowIfNull(start);
        if (start.dim() != 2 || !start.is_floating_point())
            throw new ArgumentException($"start has shape [{string.Join(", ", start.shape)}] and dtype {start.dtype}: pass an n x d floating-point tensor.", nameof(start));
        if (!Enum.IsDefined(method)) throw new ArgumentOutOfRangeException(nameof(method), method, $"method must be one of {string.Join(", ", IntegrationMethods.Names)}.");
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, $"steps must be at least 1 (got {steps}).");
    }

    private static void CheckTime(double t)
    {
        if (!(t >= 0 && t <= 1)) throw new ArgumentOutOfRangeException(nameof(t), t, $"t must lie in [0, 1] (got {t}).");
    }
}
