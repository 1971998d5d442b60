using System.Text.Json.Nodes;
using NeuralOT.Distributions;
using NeuralOT.Reference;

namespace NeuralOT.Experiments;

/// <summary>
/// A random Gaussian mixture in a config (<c>random-gaussian-mixture</c>): <c>dimension</c>, <c>components</c>
/// (3 by default) and <c>seed</c> (0 by default) fix it (see <see cref="GaussianMixture.Random"/>).
/// </summary>
public sealed record RandomMixtureSpec(int Dimension, int Components = 3, int Seed = 0) : DistributionSpec
{
    internal static readonly string[] Keys = ["type", "dimension", "components", "seed"];

    /// <inheritdoc />
    public override string Type => "random-gaussian-mixture";

    /// <inheritdoc />
    public override IDistribution Create() => GaussianMixture.Random(Dimension, Components, Seed);

    /// <inheritdoc />
    public override JsonObject ToJson() => new() { ["type"] = Type, ["dimension"] = Dimension, ["components"] = Components, ["seed"] = Seed };

    internal static RandomMixtureSpec FromJson(JsonSection section) =>
        new(section.Integer("dimension"), section.OptionalInteger("components") ?? 3, section.OptionalInteger("seed") ?? 0);
}

/// <summary>
/// A target with an exactly known optimal map (<c>known-map</c>, valid as <c>target</c> only): the config's source
/// pushed through the gradient of a random strongly convex potential (<see cref="InputConvexPotential"/>), so that
/// grad psi is the optimal map of the quadratic cost (Brenier) and runs report <c>l2_uvp_percent</c> and <c>cosine</c>
/// against it. Keys: <c>seed</c>, <c>width</c> and <c>depth</c> of the potential's network, <c>quadratic</c> (its
/// strong-convexity coefficient) <c>strength</c> (the size of its non-quadratic part relative to the source's spread) and <c>sharpness</c> (how sharply
/// its units bend within the data).
/// </summary>
public sealed record KnownMapSpec(int Seed = 1, int Width = 64, int Depth = 3, double Quadratic = 0.2, double Strength = 2.0, double Sharpness = 2.0) : DistributionSpec
{
    internal static readonly string[] Keys = ["type", "seed", "width", "depth", "quadratic", "strength", "sharpness"];

    /// <inheritdoc />
    public override string Type => "known-map";

    /// <summary>Not available: a known-map target is the image of a source; use <see cref="CreateTransport"/>.</summary>
    public override IDistribution Create() =>
        throw new InvalidOperationException("A known-map target is the image of the config's source: build it with CreateTransport(source) or ExperimentConfig.CreateDistributions().");

    /// <summary>The problem source -&gt; grad(psi)#source with this spec's potential.</summary>
    public KnownMapTransport CreateTransport(IDistribution source) =>
        new(source, InputConvexPotential.Random(source, Width, Depth, Quadratic, Strength, Sharpness, Seed));

    /// <inheritdoc />
    public override JsonObject ToJson() => new()
    {
        ["type"] = Type, ["seed"] = Seed, ["width"] = Width, ["depth"] = Depth, ["quadratic"] = Quadratic, ["strength"] = Strength, ["sharpness"] = Sharpness,
    };

    internal static KnownMapSpec FromJson(JsonSection section)
    {
        var defaults = new KnownMapSpec();
        return new KnownMapSpec(
            section.OptionalInteger("seed") ?? defaults.Seed, section.OptionalInteger("width") ?? defaults.Width,
            section.OptionalInteger("depth") ?? defaults.Depth, section.OptionalNumber("quadratic") ?? defaults.Quadratic,
            section.OptionalNumber("strength") ?? defaults.Strength, section.OptionalNumber("sharpness") ?? defaults.Sharpness);
    }
}
