using NeuralOT.Networks;

namespace NeuralOT.Solvers;

/// <summary>
/// Settings of the phase-2 velocity regression (docs/method.md, "Phase 2"). The defaults are those of the Python prototype, which
/// reached a velocity error of 0.012 % on gaussian-2d: a 3 x 64 SiLU network, Adam at 1e-3 with cosine decay,
/// 2,000 iterations of 1,024 fresh samples.
/// </summary>
public sealed record VelocityOptions
{
    /// <summary>Hidden shape of the velocity network v(x, t).</summary>
    public NetworkOptions Network { get; init; } = new();

    /// <summary>Adam's initial learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Learning-rate schedule (cosine decay to 0 by default).</summary>
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Cosine;

    /// <summary>Samples (z, t) drawn fresh for every step.</summary>
    public int BatchSize { get; init; } = 1024;

    /// <summary>Training steps.</summary>
    public int Iterations { get; init; } = 2000;

    /// <summary>Seed of the network initialisation and of every sample drawn during training.</summary>
    public int Seed { get; init; } = 0;

    /// <summary>Intra-op CPU threads for TorchSharp (process-wide; one is fastest for small networks).</summary>
    public int Threads { get; init; } = 1;

    /// <summary><c>cpu</c> or <c>cuda</c> (the latter needs a CUDA build of TorchSharp).</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>Record the loss every this many iterations (the last iteration is always recorded).</summary>
    public int HistoryInterval { get; init; } = 10;

    /// <summary>Throws an <see cref="InvalidOptionException"/> naming the first option that is out of range, with the fix.</summary>
    public void Validate()
    {
        OptionChecks.Network(Owner, nameof(Network), Network);
        OptionChecks.Positive(Owner, nameof(LearningRate), LearningRate);
        if (!Enum.IsDefined(Schedule)) Fail(nameof(Schedule), Schedule, "use cosine or constant");
        if (BatchSize < 1) Fail(nameof(BatchSize), BatchSize, "it must be at least 1 (1024 is the default)");
        if (Iterations < 0) Fail(nameof(Iterations), Iterations, "it must be zero or more");
        OptionChecks.Threads(Owner, nameof(Threads), Threads);
        OptionChecks.Device(Owner, nameof(Device), Device);
        if (HistoryInterval < 1) Fail(nameof(HistoryInterval), HistoryInterval, "it must be at least 1");
    }

    private const string Owner = nameof(VelocityOptions);

    private static void Fail(string option, object? value, string fix) => throw new InvalidOptionException(Owner, option, value, fix);
}
