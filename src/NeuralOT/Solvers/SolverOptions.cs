using NeuralOT.Networks;

namespace NeuralOT.Solvers;

/// <summary>Which saddle-point form the phase-1 solver trains (docs/method.md, "Phase 1").</summary>
public enum CriticForm
{
    /// <summary>The reduced form min_T max_phi E L(T(x) - x) + E phi(y) - E phi(T(x)) with a static critic phi(y).
    /// Faster and more accurate in our measurements: the default.</summary>
    Static,
    /// <summary>The full dynamic Lagrangian with a time-dependent critic Phi(x, t), dPhi/dt and H(grad_x Phi).</summary>
    Time,
}

/// <summary>How the phase-1 steps compute their gradients.</summary>
public enum TrainingEngine
{
    /// <summary>The fused kernels where they apply (plain MLP networks on the CPU, a quadratic or power cost, one
    /// direction), autograd elsewhere: the default. The same training up to float32 rounding, several times faster.</summary>
    Auto,
    /// <summary>TorchSharp's autograd for every step (the reference the kernels are tested against).</summary>
    Autograd,
}

/// <summary>How the learning rates change over the iterations.</summary>
public enum LearningRateSchedule
{
    /// <summary>Cosine decay from the initial rate to 0 at the last iteration.</summary>
    Cosine,
    /// <summary>The initial rate throughout.</summary>
    Constant,
}

/// <summary>
/// Settings of the phase-1 minimax solver. Step counts and the iteration budget left null take the defaults of the
/// chosen <see cref="Critic"/> form (see <see cref="Resolve"/>); every other field has one default.
/// </summary>
public sealed record SolverOptions
{
    /// <summary>The saddle-point form; <see cref="CriticForm.Static"/> by default.</summary>
    public CriticForm Critic { get; init; } = CriticForm.Static;

    /// <summary>Hidden shape of the map network F.</summary>
    public NetworkOptions MapNetwork { get; init; } = new();

    /// <summary>Hidden shape of the critic.</summary>
    public NetworkOptions CriticNetwork { get; init; } = new();

    /// <summary>Adam learning rate of the map.</summary>
    public double MapLearningRate { get; init; } = 1e-3;

    /// <summary>Adam learning rate of the critic.</summary>
    public double CriticLearningRate { get; init; } = 1e-3;

    /// <summary>Adam's first-moment decay; 0.5 damps the oscillation of the two-player game better than 0.9.</summary>
    public double Beta1 { get; init; } = 0.5;

    /// <summary>Adam's second-moment decay.</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>Learning-rate schedule (cosine decay by default: without it the error was several times larger).</summary>
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Cosine;

    /// <summary>Samples per side drawn fresh for every step.</summary>
    public int BatchSize { get; init; } = 512;

    /// <summary>Critic ascent steps per outer iteration (null: 1 for the static form, 3 for the time form).</summary>
    public int? CriticSteps { get; init; }

    /// <summary>Map descent steps per outer iteration (null: 5 for the static form, 1 for the time form).</summary>
    public int? MapSteps { get; init; }

    /// <summary>Outer iterations (null: 4,000 for the static form, 8,000 for the time form).</summary>
    public int? Iterations { get; init; }

    /// <summary>Clip each player's gradient to this global norm; null for no clipping.</summary>
    public double? GradientClip { get; init; }

    /// <summary>Seed of the network initialisation and of every sample drawn during training.</summary>
    public int Seed { get; init; } = 0;

    /// <summary>Intra-op CPU threads for TorchSharp (one is fastest for these small networks; it is process-wide). The
    /// fused kernels (<see cref="Engine"/>) do not use them: they split each step over two cores of their own.</summary>
    public int Threads { get; init; } = 1;

    /// <summary><c>cpu</c> or <c>cuda</c> (the latter needs a CUDA build of TorchSharp).</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>Bidirectional training with a reverse map and a cycle penalty; null for one direction.</summary>
    public BidirectionalOptions? Bidirectional { get; init; }

    /// <summary>How training starts: null (automatic, the default) resolves to <see cref="Solvers.Preconditioning.Gaussian"/>
    /// for the quadratic cost with the static critic in one direction, and to <see cref="Solvers.Preconditioning.None"/>
    /// otherwise (see <see cref="Resolve"/>).</summary>
    public Preconditioning? Preconditioning { get; init; }

    /// <summary>The guard for finite data sets: hold out a share of the rows, score the map on them during training and
    /// put the last accepted networks back after an excursion (see <see cref="HeldOutOptions"/>). On by default; it acts only when a side is an
    /// <see cref="Distributions.EmpiricalDistribution"/> (CSV files, arrays of rows), never on samplers. Null turns it
    /// off (training then uses every row, as before the guard existed).</summary>
    public HeldOutOptions? HeldOut { get; init; } = new();

    /// <summary>How the steps compute their gradients: <see cref="TrainingEngine.Auto"/> (the fused kernels where they
    /// apply, the default) or <see cref="TrainingEngine.Autograd"/>.</summary>
    public TrainingEngine Engine { get; init; } = TrainingEngine.Auto;

    /// <summary>Record the history every this many iterations (the last iteration is always recorded).</summary>
    public int HistoryInterval { get; init; } = 10;

    /// <summary>The result's map is a running average of the map's weights over this share of the iteration budget
    /// (an exponential moving average whose horizon is that many iterations, a plain mean before it fills; the
    /// reverse map likewise); 0 keeps the last weights. Training itself is unchanged: the average only smooths out
    /// the minibatch noise that the two-player game leaves in the weights, which made the map's error swing several-fold
    /// between nearby iterations in the middle of a run. 0.025 by default (100 of 4,000
    /// iterations).</summary>
    public double MapAveraging { get; init; } = 0.025;

    /// <summary>The number of iterations the map's weights are averaged over (see <see cref="MapAveraging"/>); 0
    /// when averaging is off.</summary>
    internal int AveragingHorizon(int totalIterations) =>
        MapAveraging > 0 ? Math.Max(1, (int)Math.Round(MapAveraging * totalIterations)) : 0;

    /// <summary>Fills the form-dependent defaults (step counts and iterations) and, when the cost is given, the
    /// automatic preconditioning: the Gaussian start for the quadratic cost with the static critic in one direction
    /// (it starts at the exact solution between Gaussian fits and works in the data's units, which kept training
    /// stable in 16-D to 128-D where starting from the identity failed), none otherwise.</summary>
    /// <param name="cost">The problem's cost; null leaves an automatic preconditioning unresolved.</param>
    public SolverOptions Resolve(Costs.ICost? cost = null) => this with
    {
        CriticSteps = CriticSteps ?? (Critic == CriticForm.Static ? 1 : 3),
        MapSteps = MapSteps ?? (Critic == CriticForm.Static ? 5 : 1),
        Iterations = Iterations ?? (Critic == CriticForm.Static ? 4000 : 8000),
        Preconditioning = Preconditioning ?? (cost is null ? null : AutomaticPreconditioning(cost)),
    };

    private Preconditioning AutomaticPreconditioning(Costs.ICost cost) =>
        cost is Costs.QuadraticCost && Critic == CriticForm.Static && Bidirectional is null
            ? Solvers.Preconditioning.Gaussian
            : Solvers.Preconditioning.None;

    /// <summary>Throws an <see cref="InvalidOptionException"/> naming the first option that is out of range, with the fix.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Critic)) Fail(nameof(Critic), Critic, "use CriticForm.Static or CriticForm.Time");
        OptionChecks.Network(Owner, nameof(MapNetwork), MapNetwork);
        OptionChecks.Network(Owner, nameof(CriticNetwork), CriticNetwork);
        if (Critic == CriticForm.Time && CriticNetwork.Activation == Activation.ReLU)
            Fail($"{nameof(CriticNetwork)}.{nameof(NetworkOptions.Activation)}", Activation.ReLU, "the time critic needs a smooth activation (silu, tanh, softplus or gelu): the map update differentiates through grad_x Phi");
        if (MapNetwork.InputConvex) Fail($"{nameof(MapNetwork)}.{nameof(NetworkOptions.InputConvex)}", true, "only the critic network can be input-convex");
        if (CriticNetwork.InputConvex && Critic == CriticForm.Time)
            Fail($"{nameof(CriticNetwork)}.{nameof(NetworkOptions.InputConvex)}", true, "an input-convex critic needs the static form of the critic");
        OptionChecks.Positive(Owner, nameof(MapLearningRate), MapLearningRate);
        OptionChecks.Positive(Owner, nameof(CriticLearningRate), CriticLearningRate);
        if (!(Beta1 >= 0 && Beta1 < 1)) Fail(nameof(Beta1), Beta1, "it must lie in [0, 1)");
        if (!(Beta2 >= 0 && Beta2 < 1)) Fail(nameof(Beta2), Beta2, "it must lie in [0, 1)");
        if (!Enum.IsDefined(Schedule)) Fail(nameof(Schedule), Schedule, "use cosine or constant");
        if (BatchSize < 1) Fail(nameof(BatchSize), BatchSize, "it must be at least 1 (512 is the default)");
        if (CriticSteps is < 1) Fail(nameof(CriticSteps), CriticSteps, "it must be at least 1");
        if (MapSteps is < 1) Fail(nameof(MapSteps), MapSteps, "it must be at least 1");
        if (Iterations is < 0) Fail(nameof(Iterations), Iterations, "it must be zero or more");
        if (GradientClip is { } clip && !(clip > 0 && double.IsFinite(clip))) Fail(nameof(GradientClip), clip, "it must be a positive number, or absent for no clipping");
        OptionChecks.Threads(Owner, nameof(Threads), Threads);
        OptionChecks.Device(Owner, nameof(Device), Device);
        if (HistoryInterval < 1) Fail(nameof(HistoryInterval), HistoryInterval, "it must be at least 1");
        if (!Enum.IsDefined(Engine)) Fail(nameof(Engine), Engine, "use auto or autograd");
        if (!(MapAveraging >= 0 && MapAveraging <= 1)) Fail(nameof(MapAveraging), MapAveraging, "it must lie in [0, 1] (a share of the iterations; 0 turns averaging off)");
        if (Preconditioning is { } preconditioning && !Enum.IsDefined(preconditioning)) Fail(nameof(Preconditioning), preconditioning, "use none, affine or gaussian, or leave it unset for the automatic choice");
        if (Preconditioning == Solvers.Preconditioning.Gaussian && Critic == CriticForm.Time)
            Fail(nameof(Preconditioning), Solvers.Preconditioning.Gaussian, "the Gaussian start needs the static form of the critic; use affine with the time form");
        if (Preconditioning == Solvers.Preconditioning.Gaussian && Bidirectional is not null)
            Fail(nameof(Preconditioning), Solvers.Preconditioning.Gaussian, "the Gaussian start trains one direction: turn bidirectional training off, or use affine");
        if (Bidirectional is { } bidirectional) InvalidOptionException.CheckWithin(Owner, nameof(Bidirectional), bidirectional.Validate);
        if (HeldOut is { } heldOut) InvalidOptionException.CheckWithin(Owner, nameof(HeldOut), heldOut.Validate);
    }

    private const string Owner = nameof(SolverOptions);

    private static void Fail(string option, object? value, string fix) => throw new InvalidOptionException(Owner, option, value, fix);
}
