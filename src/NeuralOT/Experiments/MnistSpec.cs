using System.Text.Json.Nodes;
using NeuralOT.Distributions;
using NeuralOT.Solvers;

namespace NeuralOT.Experiments;

/// <summary>
/// Images of one MNIST digit (<c>{"type": "mnist", "digit": 4, "split": "train", "noise": 0.0, "path": ...}</c>):
/// the bundled digits unless <see cref="Path"/> names another file (the bundled format or an IDX image file).
/// </summary>
/// <param name="Digit">The digit, 0-9.</param>
/// <param name="Split"><c>train</c> or <c>test</c> (the fixed split of <see cref="MnistData"/>).</param>
/// <param name="Noise">Standard deviation of the Gaussian noise added to every pixel of every draw (&gt;= 0).</param>
/// <param name="Path">The data file; null for the bundled digits.</param>
public sealed record MnistSpec(int Digit, MnistSplit Split = MnistSplit.Train, double Noise = 0, string? Path = null) : DistributionSpec
{
    /// <inheritdoc />
    public override string Type => "mnist";

    /// <summary>The data set this spec reads (loaded once per file and process).</summary>
    public MnistData LoadData() => MnistData.Load(Path);

    /// <summary>The digit's distribution (validated).</summary>
    public MnistDistribution CreateMnist()
    {
        // Validate the cheap parameters before touching the file, so a bad digit is reported as such.
        MnistData.CheckDigit(Digit, "digit");
        return new MnistDistribution(Digit, Split, Noise, LoadData());
    }

    /// <inheritdoc />
    public override IDistribution Create() => CreateMnist();

    /// <summary>Every image of this digit in <paramref name="split"/>, without noise (n x 784, pixels in [0, 1]): the
    /// real digits that metrics and figures compare with.</summary>
    public TorchSharp.torch.Tensor Images(MnistSplit split) => (this with { Split = split, Noise = 0 }).CreateMnist().Images();

    /// <inheritdoc />
    public override DistributionSpec WithPathsRelativeTo(string folder) =>
        Path is null ? this : this with { Path = System.IO.Path.GetFullPath(Path, folder) };

    private static readonly ConfigSchema<MnistSpec> Schema = new(
        ConfigKey.TypeTag<MnistSpec>(),
        ConfigKey.Integer<MnistSpec>("digit", nameof(Digit), s => s.Digit, (s, v) => s with { Digit = v }) with { Required = true },
        ConfigKey.Choice<MnistSpec, MnistSplit>("split", nameof(Split), s => s.Split, (s, v) => s with { Split = v }),
        ConfigKey.Number<MnistSpec>("noise", nameof(Noise), s => s.Noise, (s, v) => s with { Noise = v }),
        new ConfigKey<MnistSpec>("path", (section, key, s) => s with { Path = section.String(key) }, s => s.Path) { Property = nameof(Path) });

    /// <inheritdoc />
    public override JsonObject ToJson() => Schema.Write(this);

    internal static MnistSpec FromJson(JsonSection section)
    {
        // The digit is required: it replaces the placeholder.
        var spec = Schema.Read(section, new MnistSpec(Digit: -1));
        Schema.Validate(section.Path, () =>
        {
            if (spec.Digit is < 0 or > 9) throw new InvalidOptionException(nameof(MnistSpec), nameof(Digit), spec.Digit, "it is not a digit; use 0-9");
            if (spec.Noise < 0) throw new InvalidOptionException(nameof(MnistSpec), nameof(Noise), spec.Noise, "use a standard deviation >= 0 (0 for none)");
        });
        return spec;
    }
}
