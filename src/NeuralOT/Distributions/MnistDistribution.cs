using static TorchSharp.torch;

namespace NeuralOT.Distributions;

/// <summary>
/// The images of one digit as points of R^784 (pixels in [0, 1], row-major): sampling draws images of the digit
/// from one split uniformly with replacement and optionally adds Gaussian noise of standard deviation
/// <see cref="Noise"/> to every pixel (the predecessor paper trained on slightly noisy digits).
/// </summary>
public sealed class MnistDistribution : IDistribution
{
    // The digit's images, detached from any dispose scope: they live as long as this object.
    private readonly Tensor _images;

    /// <summary>Creates the distribution of <paramref name="digit"/>'s images in <paramref name="split"/>.</summary>
    /// <param name="digit">The digit, 0-9.</param>
    /// <param name="split">The bundled train/test split (see <see cref="MnistData"/>).</param>
    /// <param name="noise">Standard deviation of the per-pixel Gaussian noise, &gt;= 0 (0: the images themselves).</param>
    /// <param name="data">The digit data (null: the bundled file, <see cref="MnistData.Load"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException">The digit is outside 0-9 or the noise is negative.</exception>
    public MnistDistribution(int digit, MnistSplit split = MnistSplit.Train, double noise = 0, MnistData? data = null)
    {
        MnistData.CheckDigit(digit, nameof(digit));
        ParameterChecks.NonNegative(noise, nameof(noise));
        if (!Enum.IsDefined(split)) throw new ArgumentOutOfRangeException(nameof(split), split, "split must be train or test.");
        Data = data ?? MnistData.Load();
        Digit = digit;
        Split = split;
        Noise = noise;
        _images = Data.Images(Data.Indices(digit, split)).DetachFromDisposeScope();
    }

    /// <summary>The digit 0-9.</summary>
    public int Digit { get; }

    /// <summary>The split the images come from.</summary>
    public MnistSplit Split { get; }

    /// <summary>Standard deviation of the per-pixel noise added to each draw.</summary>
    public double Noise { get; }

    /// <summary>The data set the images come from.</summary>
    public MnistData Data { get; }

    /// <summary>Number of distinct images of the digit in the split.</summary>
    public int Count => (int)_images.shape[0];

    /// <inheritdoc />
    public int Dimension => Data.PixelCount;

    /// <inheritdoc />
    public string Description => $"MNIST digit {Digit} ({Split.ToString().ToLowerInvariant()} split, {Count} images{(Noise > 0 ? $", noise {Noise}" : "")})";

    /// <summary>The digit's distinct images in the split, without noise (a copy, n x 784 float64 in [0, 1]).</summary>
    public Tensor Images() => _images.clone();

    /// <inheritdoc />
    public Tensor Sample(int count, Generator generator)
    {
        ParameterChecks.SampleArguments(count, generator);
        using var scope = NewDisposeScope();
        var rows = randint(Count, new long[] { count }, ScalarType.Int64, generator: generator);
        var images = _images.index_select(0, rows);
        if (Noise > 0) images = images + randn(images.shape, dtype: ScalarType.Float64, generator: generator) * Noise;
        return scope.MoveToOuter(images);
    }

    /// <inheritdoc />
    public override string ToString() => Description;
}
