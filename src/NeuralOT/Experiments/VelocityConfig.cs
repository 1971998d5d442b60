using System.Text.Json.Nodes;
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
    internal static readonly string[] Keys =
        ["width", "depth", "activation", "learning_rate", "batch_size", "iterations", "seed", "integrator", "steps", "oracle"];

    /// <summary>The training settings.</summary>
    public VelocityOptions Options { get; init; } = new();

    /// <summary>The scheme that integrates the learned field for the metrics.</summary>
    public IntegrationMethod Integrator { get; init; } = IntegrationMethod.RK4;

    /// <summary>Its number of steps on [0, 1].</summary>
    public int Steps { get; init; } = VelocityResult.DefaultSteps;

    /// <summary>Learn from the exact paths of the closed-form map (Gaussian pairs under the quadratic cost) instead of
    /// the phase-1 map: separates the regression's error from the error inherited from phase 1.</summary>
    public bool Oracle { get; init; }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first key that is out of range.</summary>
    public void Validate()
    {
        Options.Validate();
        if (!Enum.IsDefined(Integrator))
            throw new ArgumentOutOfRangeException("integrator", Integrator, $"velocity.integrator is invalid: use one of {string.Join(", ", IntegrationMethods.Names)}.");
        if (Steps < 1)
            throw new ArgumentOutOfRangeException("steps", Steps, $"velocity.steps = {Steps} is invalid: it must be at least 1 ({VelocityResult.DefaultSteps} is the default).");
    }

    internal static VelocityConfig Parse(JsonSection section)
    {
        section.RejectUnknownKeys(Keys);
        var defaults = new VelocityConfig();
        var options = defaults.Options;
        return new VelocityConfig
        {
            Options = options with
            {
                Network = new NetworkOptions(
                    section.OptionalInteger("width") ?? options.Network.Width,
                    section.OptionalInteger("depth") ?? options.Network.Depth,
                    section.OptionalString("activation") is { } activation ? Activations.Parse(activation) : options.Network.Activation),
                LearningRate = section.OptionalNumber("learning_rate") ?? options.LearningRate,
                BatchSize = section.OptionalInteger("batch_size") ?? options.BatchSize,
                Iterations = section.OptionalInteger("iterations") ?? options.Iterations,
                Seed = section.OptionalInteger("seed") ?? options.Seed,
            },
            Integrator = section.OptionalString("integrator") is { } integrator ? ParseIntegrator(integrator) : defaults.Integrator,
            Steps = section.OptionalInteger("steps") ?? defaults.Steps,
            Oracle = section.OptionalBoolean("oracle") ?? defaults.Oracle,
        };
    }

    internal JsonObject ToJson() => new()
    {
        ["width"] = Options.Network.Width,
        ["depth"] = Options.Network.Depth,
        ["activation"] = Options.Network.Activation.ConfigName(),
        ["learning_rate"] = Options.LearningRate,
        ["batch_size"] = Options.BatchSize,
        ["iterations"] = Options.Iterations,
        ["seed"] = Options.Seed,
        ["integrator"] = Integrator.ToString().ToLowerInvariant(),
        ["steps"] = Steps,
        ["oracle"] = Oracle,
    };

    private static IntegrationMethod ParseIntegrator(string name)
    {
        try
        {
            return IntegrationMethods.Parse(name);
        }
        catch (ArgumentException)
        {
            throw new ConfigException($"config.velocity.integrator = \"{name}\" is invalid; use one of {string.Join(", ", IntegrationMethods.Names.Select(n => $"\"{n}\""))}.");
        }
    }
}
