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
    private static readonly ConfigSchema<RandomMixtureSpec> Schema = new(
        ConfigKey.TypeTag<RandomMixtureSpec>(),
        ConfigKey.Integer<RandomMixtureSpec>("dimension", nameof(Dimension), s => s.Dimension, (s, v) => s with { Dimension = v }) with { Required = true },
        ConfigKey.Integer<RandomMixtureSpec>("components", nameof(Components), s => s.Components, (s, v) => s with { Components = v }),
        ConfigKey.Integer<RandomMixtureSpec>("seed", nameof(Seed), s => s.Seed, (s, v) => s with { Seed = v }));

    /// <inheritdoc />
    public override string Type => "random-gaussian-mixture";

    /// <inheritdoc />
    public override IDistribution Create() => GaussianMixture.Random(Dimension, Components, Seed);

    /// <inheritdoc />
    public override JsonObject ToJson() => Schema.Write(this);

    // The dimension is required; it replaces the placeholder 0.
    internal static RandomMixtureSpec FromJson(JsonSection section) => Schema.Read(section, new RandomMixtureSpec(Dimension: 0));
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
    private static readonly ConfigSchema<KnownMapSpec> Schema = new(
        ConfigKey.TypeTag<KnownMapSpec>(),
        ConfigKey.Integer<KnownMapSpec>("seed", nameof(Seed), s => s.Seed, (s, v) => s with { Seed = v }),
        ConfigKey.Integer<KnownMapSpec>("width", nameof(Width), s => s.Width, (s, v) => s with { Width = v }),
        ConfigKey.Integer<KnownMapSpec>("depth", nameof(Depth), s => s.Depth, (s, v) => s with { Depth = v }),
        ConfigKey.Number<KnownMapSpec>("quadratic", nameof(Quadratic), s => s.Quadratic, (s, v) => s with { Quadratic = v }),
        ConfigKey.Number<KnownMapSpec>("strength", nameof(Strength), s => s.Strength, (s, v) => s with { Strength = v }),
        ConfigKey.Number<KnownMapSpec>("sharpness", nameof(Sharpness), s => s.Sharpness, (s, v) => s with { Sharpness = v }));

    /// <inheritdoc />
    public override string Type => "known-map";

    /// <summary>Not available: a known-map target is the image of a source; use <see cref="CreateTransport"/>.</summary>
    public override IDistribution Create() =>
        throw new InvalidOperationException("A known-map target is the image of the config's source: build it with CreateTransport(source) or ExperimentConfig.CreateDistributions().");

    /// <summary>The problem source -&gt; grad(psi)#source with this spec's potential.</summary>
    public KnownMapTransport CreateTransport(IDistribution source) =>
        new(source, InputConvexPotential.Random(source, Width, Depth, Quadratic, Strength, Sharpness, Seed));

    /// <inheritdoc />
    public override JsonObject ToJson() => Schema.Write(this);

    internal static KnownMapSpec FromJson(JsonSection section) => Schema.Read(section, new KnownMapSpec());
}
