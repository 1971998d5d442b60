using NeuralOT.Dynamics;
using NeuralOT.Networks;
using NeuralOT.Solvers;

namespace NeuralOT.Experiments;

/// <summary>
/// The <c>velocity</c> section of a config: phase 2 runs after phase 1 when it is present. Every key is optional:
/// <c>width</c> (64), <c>depth</c> (3), <c>activation</c> (silu), <c>learning_rate</c> (1e-3, cosine decay),
/// <c>batch_size</c> (1024), <c>iterations</c> (2000), <c>seed</c> (0; <c>--seed</c> overrides it with the solver's),
/// <c>integrator</c> (rk4) and <c>steps</c> (20) for the flow the metrics integrate, and <c>oracle</c> (false: learn
/// from the phase-1 map; true: from the closed-form map of a Gaussian pair). Threads and device are the solver's.
/// </summary>
public sealed record VelocityConfig
{
    /// <summary>The section's keys: read, written and named in messages from this one list. Threads and device are
    /// the solver's, so they are not keys here.</summary>
    internal static readonly ConfigSchema<VelocityConfig> Schema = new(
        ConfigKey.Integer<VelocityConfig>("width", NetworkProperty(nameof(NetworkOptions.Width)), v => v.Options.Network.Width,
            (v, width) => v with { Options = v.Options with { Network = v.Options.Network with { Width = width } } }),
        ConfigKey.Integer<VelocityConfig>("depth", NetworkProperty(nameof(NetworkOptions.Depth)), v => v.Options.Network.Depth,
            (v, depth) => v with { Options = v.Options with { Network = v.Options.Network with { Depth = depth } } }),
        ConfigKey.Choice<VelocityConfig, Activation>("activation", NetworkProperty(nameof(NetworkOptions.Activation)), v => v.Options.Network.Activation,
            (v, activation) => v with { Options = v.Options with { Network = v.Options.Network with { Activation = activation } } }),
        ConfigKey.Number<VelocityConfig>("learning_rate", OptionsProperty(nameof(VelocityOptions.LearningRate)), v => v.Options.LearningRate,
            (v, rate) => v with { Options = v.Options with { LearningRate = rate } }),
        ConfigKey.Integer<VelocityConfig>("batch_size", OptionsProperty(nameof(VelocityOptions.BatchSize)), v => v.Options.BatchSize,
            (v, batch) => v with { Options = v.Options with { BatchSize = batch } }),
        ConfigKey.Integer<VelocityConfig>("iterations", OptionsProperty(nameof(VelocityOptions.Iterations)), v => v.Options.Iterations,
            (v, iterations) => v with { Options = v.Options with { Iterations = iterations } }),
        ConfigKey.Integer<VelocityConfig>("seed", OptionsProperty(nameof(VelocityOptions.Seed)), v => v.Options.Seed,
            (v, seed) => v with { Options = v.Options with { Seed = seed } }),
        ConfigKey.Choice<VelocityConfig, IntegrationMethod>("integrator", nameof(Integrator), v => v.Integrator, (v, integrator) => v with { Integrator = integrator }),
        ConfigKey.Integer<VelocityConfig>("steps", nameof(Steps), v => v.Steps, (v, steps) => v with { Steps = steps }),
        ConfigKey.Boolean<VelocityConfig>("oracle", nameof(Oracle), v => v.Oracle, (v, oracle) => v with { Oracle = oracle }));

    // The keys of this flat section set properties of the nested training options.
    private static string OptionsProperty(string option) => $"{nameof(Options)}.{option}";

    private static string NetworkProperty(string shape) => OptionsProperty($"{nameof(VelocityOptions.Network)}.{shape}");

    /// <summary>The training settings.</summary>
    public VelocityOptions Options { get; init; } = new();

    /// <summary>The scheme that integrates the learned field for the metrics.</summary>
    public IntegrationMethod Integrator { get; init; } = IntegrationMethod.RK4;

    /// <summary>Its number of steps on [0, 1].</summary>
    public int Steps { get; init; } = VelocityResult.DefaultSteps;

    /// <summary>Learn from the exact paths of the closed-form map (Gaussian pairs under the quadratic cost) instead of
    /// the phase-1 map: separates the regression's error from the error inherited from phase 1.</summary>
    public bool Oracle { get; init; }

    /// <summary>Throws an <see cref="InvalidOptionException"/> naming the first option that is out of range, by its
    /// property (<see cref="ExperimentConfig.Validate"/> names the key).</summary>
    public void Validate()
    {
        InvalidOptionException.CheckWithin(nameof(VelocityConfig), nameof(Options), Options.Validate);
        if (!Enum.IsDefined(Integrator))
            throw new InvalidOptionException(nameof(VelocityConfig), nameof(Integrator), Integrator, $"use one of {string.Join(", ", IntegrationMethods.Names)}");
        if (Steps < 1)
            throw new InvalidOptionException(nameof(VelocityConfig), nameof(Steps), Steps, $"it must be at least 1 ({VelocityResult.DefaultSteps} is the default)");
    }
}
