using System.Text.Json.Nodes;
using NeuralOT.Distributions;

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

    /// <inheritdoc />
    public override JsonObject ToJson()
    {
        var json = new JsonObject { ["type"] = Type, ["digit"] = Digit, ["split"] = SplitName(Split), ["noise"] = Noise };
        if (Path is not null) json["path"] = Path;
        return json;
    }

    internal static MnistSpec FromJson(JsonSection section)
    {
        var digit = section.Integer("digit");
        if (digit is < 0 or > 9) throw new ConfigException($"{section.Path}.digit = {digit} is not a digit; use 0-9.");
        var split = section.OptionalString("split") ?? "train";
        var parsedSplit = split switch
        {
            "train" => MnistSplit.Train,
            "test" => MnistSplit.Test,
            _ => throw new ConfigException($"{section.Path}.split = \"{split}\" is invalid; use \"train\" or \"test\"."),
        };
        var noise = section.OptionalNumber("noise") ?? 0;
        if (noise < 0) throw new ConfigException($"{section.Path}.noise = {noise} is invalid; use a standard deviation >= 0 (0 for none).");
        return new MnistSpec(digit, parsedSplit, noise, section.OptionalString("path"));
    }

    private static string SplitName(MnistSplit split) => split.ToString().ToLowerInvariant();
}
