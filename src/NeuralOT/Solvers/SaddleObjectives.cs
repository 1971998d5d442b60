using NeuralOT.Costs;
using NeuralOT.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Solvers;

/// <summary>One step's fresh samples: x ~ mu0, y ~ mu1 and, for the time form, t ~ U(0, 1) (shape n x 1).</summary>
internal sealed record MinibatchSamples(Tensor Source, Tensor Target, Tensor Times);

/// <summary>A player's loss for one step and, when asked for, the saddle objective S it estimates (a detached
/// scalar; null when the step was not asked to report).</summary>
internal readonly record struct StepLoss(Tensor Loss, Tensor? Objective, Tensor? TransportCost);

/// <summary>
/// The two forms of the phase-1 saddle problem (docs/method.md, "Phase 1"). Both return losses to MINIMISE: the critic's loss is -S,
/// the map's loss is S up to terms that do not depend on the map.
/// </summary>
internal abstract class SaddleObjective(ICost cost)
{
    protected ICost Cost { get; } = cost;

    public abstract StepLoss CriticLoss(MapNetwork map, CriticNetwork critic, MinibatchSamples batch);

    // report: also estimate S and the transport cost. The estimate of S needs a critic forward pass on the targets
    // that the update does not use, so only the step whose values are recorded asks for it.
    public abstract StepLoss MapLoss(MapNetwork map, CriticNetwork critic, MinibatchSamples batch, bool report);

    public static SaddleObjective For(CriticForm form, ICost cost) => form switch
    {
        CriticForm.Static => new StaticSaddle(cost),
        CriticForm.Time => new TimeSaddle(cost),
        _ => throw new ArgumentOutOfRangeException(nameof(form), form, "Unknown critic form."),
    };
}

/// <summary>S(T, phi) = E L(T(x) - x) + E phi(y) - E phi(T(x)).</summary>
internal sealed class StaticSaddle(ICost cost) : SaddleObjective(cost)
{
    public override StepLoss CriticLoss(MapNetwork map, CriticNetwork critic, MinibatchSamples batch)
    {
        Tensor displacement;
        using (no_grad()) displacement = map.forward(batch.Source);
        var gap = critic.forward(batch.Target).mean() - critic.forward(batch.Source + displacement).mean();
        var loss = -gap;
        using (no_grad())
            return new StepLoss(loss, Cost.Lagrangian(displacement).mean() + gap, null);
    }

    public override StepLoss MapLoss(MapNetwork map, CriticNetwork critic, MinibatchSamples batch, bool report)
    {
        var displacement = map.forward(batch.Source);
        var transportCost = Cost.Lagrangian(displacement).mean();
        var loss = transportCost - critic.forward(batch.Source + displacement).mean();
        if (!report) return new StepLoss(loss, null, null);
        using (no_grad())
            return new StepLoss(loss, loss + critic.forward(batch.Target).mean(), transportCost.detach());
    }
}

/// <summary>
/// S(F, Phi) = -E[dPhi/dt(x_t, t) + H(grad_x Phi(x_t, t))] + E Phi(y, 1) - E Phi(x, 0), x_t = x + t F(x).
/// </summary>
internal sealed class TimeSaddle(ICost cost) : SaddleObjective(cost)
{
    public override StepLoss CriticLoss(MapNetwork map, CriticNetwork critic, MinibatchSamples batch)
    {
        Tensor pathPoints;
        using (no_grad()) pathPoints = batch.Source + batch.Times * map.forward(batch.Source);
        var interior = Interior(critic, pathPoints.requires_grad_(true), batch.Times);
        var boundary = Boundary(critic, batch);
        var objective = boundary - interior;
        return new StepLoss(-objective, objective.detach(), null);
    }

    public override StepLoss MapLoss(MapNetwork map, CriticNetwork critic, MinibatchSamples batch, bool report)
    {
        var displacement = map.forward(batch.Source);
        // batch.Times carries no gradient, so x_t does not depend on the time input that autograd differentiates
        // below: dPhi/dt is the partial derivative at (x_t, t), not the total derivative along the path.
        var pathPoints = batch.Source + batch.Times * displacement;
        var loss = -Interior(critic, pathPoints, batch.Times);
        if (!report) return new StepLoss(loss, null, null);
        using (no_grad())
            return new StepLoss(loss, loss + Boundary(critic, batch), Cost.Lagrangian(displacement).mean());
    }

    /// <summary>E[dPhi/dt + H(grad_x Phi)] at the path points, differentiable with respect to the critic and the points.</summary>
    private Tensor Interior(CriticNetwork critic, Tensor pathPoints, Tensor times)
    {
        var timeInput = times.detach().clone().requires_grad_(true);
        var potential = critic.Forward(pathPoints, timeInput);
        // TorchSharp's create_graph does not imply retain_graph (PyTorch's does): pass both.
        var gradients = autograd.grad([potential.sum()], [pathPoints, timeInput], retain_graph: true, create_graph: true);
        return (gradients[1].squeeze(1) + Cost.Hamiltonian(gradients[0])).mean();
    }

    private static Tensor Boundary(CriticNetwork critic, MinibatchSamples batch) =>
        critic.Forward(batch.Target, 1.0).mean() - critic.Forward(batch.Source, 0.0).mean();
}
