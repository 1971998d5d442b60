using System.Text.Json.Nodes;
using NeuralOT.Distributions;

namespace NeuralOT.Experiments;

/// <summary>
/// A distribution as written in a config (<c>source</c> or <c>target</c>): its <c>type</c> and parameters.
/// <see cref="Create"/> builds the sampler; <see cref="ToJson()"/> writes the same schema back.
/// </summary>
public abstract record DistributionSpec
{
    /// <summary>The config types <see cref="Parse"/> knows.</summary>
    public static IReadOnlyList<string> Types { get; } = ["gaussian", "gaussian-mixture", "random-gaussian-mixture", "known-map", "csv", "mnist", .. ToySpec.ToyTypes];

    /// <summary>The config <c>type</c>.</summary>
    public abstract string Type { get; }

    /// <summary>Builds the sampler (validating the parameters).</summary>
    public abstract IDistribution Create();

    /// <summary>The same spec with relative file paths made absolute against <paramref name="folder"/>.</summary>
    public virtual DistributionSpec WithPathsRelativeTo(string folder) => this;

    /// <summary>The spec as a config JSON object.</summary>
    public abstract JsonObject ToJson();

    internal static DistributionSpec Parse(JsonSection section)
    {
        var type = section.String("type");
        DistributionSpec spec = type switch
        {
            "gaussian" => new GaussianSpec(section.Vector("mean"), section.Rows("covariance")),
            "gaussian-mixture" => ParseMixture(section),
            "random-gaussian-mixture" => RandomMixtureSpec.FromJson(section),
            "known-map" => KnownMapSpec.FromJson(section),
            "csv" => new CsvSpec(section.String("path")),
            "mnist" => MnistSpec.FromJson(section),
            _ when ToySpec.IsToy(type) => ToySpec.Parse(type, section),
            _ => throw new ConfigException($"{section.Path}.type = \"{type}\" is not a known distribution; use one of {string.Join(", ", Types)}."),
        };
        section.RejectUnknownKeys(spec.ToJson().Select(pair => pair.Key));
        return spec;
    }

    private static GaussianMixtureSpec ParseMixture(JsonSection section)
    {
        // The weights fix the component count: checked before the means and covariances are read.
        var weights = section.Vector("weights");
        try
        {
            GaussianMixture.CheckComponentCount(weights.Length, section.Path + ".weights");
        }
        catch (ArgumentException error)
        {
            throw ConfigException.From(error);
        }
        return new GaussianMixtureSpec(weights, section.Rows("means"), section.Matrices("covariances"));
    }

    internal static double[,] ToMatrix(double[][] rows, string path)
    {
        var n = rows.Length;
        var matrix = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            if (rows[i].Length != n)
                throw new ConfigException($"{path} must be square: row {i} has {rows[i].Length} entries, expected {n}.");
            for (var j = 0; j < n; j++) matrix[i, j] = rows[i][j];
        }
        return matrix;
    }

    internal static JsonArray ToJson(double[] vector) => new(vector.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());

    internal static JsonArray ToJson(double[][] rows) => new(rows.Select(r => (JsonNode?)ToJson(r)).ToArray());
}

/// <summary>A Gaussian N(mean, covariance).</summary>
public sealed record GaussianSpec(double[] Mean, double[][] Covariance) : DistributionSpec
{
    /// <inheritdoc />
    public override string Type => "gaussian";

    /// <summary>The Gaussian itself (validated).</summary>
    public GaussianDistribution CreateGaussian() => new(Mean, ToMatrix(Covariance, "covariance"));

    /// <inheritdoc />
    public override IDistribution Create() => CreateGaussian();

    /// <inheritdoc />
    public override JsonObject ToJson() => new() { ["type"] = Type, ["mean"] = ToJson(Mean), ["covariance"] = ToJson(Covariance) };
}

/// <summary>A mixture of Gaussians with the given weights (summing to 1), means and covariances.</summary>
public sealed record GaussianMixtureSpec(double[] Weights, double[][] Means, double[][][] Covariances) : DistributionSpec
{
    /// <inheritdoc />
    public override string Type => "gaussian-mixture";

    /// <inheritdoc />
    public override IDistribution Create() =>
        new GaussianMixture(Weights, Means, Covariances.Select((c, i) => ToMatrix(c, $"covariances[{i}]")).ToArray());

    /// <inheritdoc />
    public override JsonObject ToJson() => new()
    {
        ["type"] = Type,
        ["weights"] = ToJson(Weights),
        ["means"] = ToJson(Means),
        ["covariances"] = new JsonArray(Covariances.Select(c => (JsonNode?)ToJson(c)).ToArray()),
    };
}

/// <summary>Samples read from a CSV file (one sample per row, header optional), drawn uniformly with replacement.</summary>
public sealed record CsvSpec(string Path) : DistributionSpec
{
    /// <inheritdoc />
    public override string Type => "csv";

    /// <inheritdoc />
    public override IDistribution Create() =>
        new EmpiricalDistribution(CsvSamples.Read(Path), $"samples of {System.IO.Path.GetFileName(Path)}");

    /// <inheritdoc />
    public override DistributionSpec WithPathsRelativeTo(string folder) => this with { Path = System.IO.Path.GetFullPath(Path, folder) };

    /// <inheritdoc />
    public override JsonObject ToJson() => new() { ["type"] = Type, ["path"] = Path };
}
