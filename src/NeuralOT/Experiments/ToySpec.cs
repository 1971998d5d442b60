using System.Text.Json.Nodes;
using NeuralOT.Distributions;

namespace NeuralOT.Experiments;

/// <summary>
/// One of the 2-D toy distributions in a config: <c>moons</c>, <c>circles</c>, <c>checkerboard</c>, <c>spirals</c>
/// or <c>ring</c>, with its parameters (each optional, with the toy's default).
/// </summary>
/// <param name="Toy">The toy's config type.</param>
/// <param name="Parameters">Every parameter of the toy, by config key.</param>
public sealed record ToySpec(string Toy, IReadOnlyDictionary<string, double> Parameters) : DistributionSpec
{
    /// <inheritdoc />
    public override string Type => Toy;

    private sealed record ToyShape(string[] Keys, double[] Defaults, Func<double[], IDistribution> Create);

    private static readonly Dictionary<string, ToyShape> Toys = new()
    {
        ["moons"] = new(["noise"], [0.1], p => new TwoMoons(p[0])),
        ["circles"] = new(["factor", "noise"], [0.5, 0.05], p => new ConcentricCircles(p[0], p[1])),
        ["checkerboard"] = new(["cells", "half_width"], [4, 4], p => new Checkerboard(Integer(p[0], "cells"), p[1])),
        ["spirals"] = new(["arms", "turns", "radius", "noise"], [2, 1.5, 4, 0.1], p => new Spirals(Integer(p[0], "arms"), p[1], p[2], p[3])),
        ["ring"] = new(["count", "radius", "std"], [8, 4, 0.4], p => GaussianMixture.Ring(Integer(p[0], "count"), p[1], p[2])),
    };

    /// <summary>The toy types.</summary>
    public static IReadOnlyCollection<string> ToyTypes => Toys.Keys;

    /// <inheritdoc />
    public override IDistribution Create()
    {
        var toy = Toys[Type];
        return toy.Create(toy.Keys.Select(k => Parameters[k]).ToArray());
    }

    /// <inheritdoc />
    public override JsonObject ToJson()
    {
        var json = new JsonObject { ["type"] = Type };
        foreach (var key in Toys[Type].Keys) json[key] = Parameters[key];
        return json;
    }

    internal static bool IsToy(string type) => Toys.ContainsKey(type);

    internal static ToySpec Parse(string type, JsonSection section)
    {
        var toy = Toys[type];
        section.RejectUnknownKeys(toy.Keys.Prepend("type"));
        return new ToySpec(type, toy.Keys.Zip(toy.Defaults).ToDictionary(p => p.First, p => section.OptionalNumber(p.First) ?? p.Second));
    }

    private static int Integer(double value, string key) =>
        value == Math.Floor(value) && value is >= 1 and <= int.MaxValue
            ? (int)value
            : throw new ArgumentOutOfRangeException(key, value, $"{key} must be a positive whole number (got {value}).");
}
