using System.IO.Compression;
using System.Security.Cryptography;
using NeuralOT.Distributions;
using TorchSharp;

namespace NeuralOT.Tests.Distributions;

public class MnistDataTests
{
    private static readonly int[] BundledLabelCounts = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];

    [Fact]
    public void TheBundledFileHasTenThousandDigitsWithTheDocumentedLabelCountsAndChecksum()
    {
        var data = MnistData.Load();
        Assert.Equal(10_000, data.Count);
        Assert.Equal((28, 28, 784), (data.Rows, data.Columns, data.PixelCount));
        Assert.Equal(BundledLabelCounts, data.LabelCounts());
        // The checksum recomputed here from the file itself, independently of the loader's own check.
        using var gzip = new GZipStream(File.OpenRead(MnistData.BundledPath), CompressionMode.Decompress);
        Assert.Equal(MnistData.BundledSha256, Convert.ToHexStringLower(SHA256.HashData(gzip)));
    }

    [Fact]
    public void TheSplitHoldsOutTheLastTwoHundredImagesOfEachDigit()
    {
        var data = MnistData.Load();
        for (var digit = 0; digit < 10; digit++)
        {
            var train = data.Indices(digit, MnistSplit.Train);
            var test = data.Indices(digit, MnistSplit.Test);
            Assert.Equal(MnistData.TestImagesPerDigit, test.Length);
            Assert.Equal(BundledLabelCounts[digit] - MnistData.TestImagesPerDigit, train.Length);
            Assert.True(train.Max() < test.Min(), $"digit {digit}: test images must come after the training images");
            Assert.All(train.Concat(test), i => Assert.Equal(digit, data.Labels[i]));
        }
        var (images, labels) = data.Split(MnistSplit.Test);
        using (images)
        {
            Assert.Equal(new long[] { 2000, 784 }, images.shape);
            Assert.Equal(2000, labels.Length);
            Assert.InRange(images.min().item<double>(), 0, 0);
            Assert.InRange(images.max().item<double>(), 1, 1);
        }
    }

    [Fact]
    public void TheDistributionDrawsTheDigitsImagesAndAddsNoiseOfTheRequestedSpread()
    {
        var clean = new MnistDistribution(4, MnistSplit.Test);
        Assert.Equal((784, 200), (clean.Dimension, clean.Count));
        using var images = clean.Images();
        using var draws = clean.Sample(50, new torch.Generator(1));
        // Every draw is one of the digit's images: its distance to the nearest image is zero (up to cdist's rounding;
        // distinct images are at least 1/255 apart).
        using var nearest = torch.cdist(draws, images).min(1).values;
        Assert.True(nearest.max().item<double>() < 1e-6, $"a draw is {nearest.max().item<double>()} away from every image of the digit");

        var noisy = new MnistDistribution(4, MnistSplit.Test, noise: 0.05);
        using var noisyDraws = noisy.Sample(400, new torch.Generator(2));
        using var residual = noisyDraws - images.index_select(0, torch.cdist(noisyDraws, images).argmin(1));
        Assert.InRange(residual.std().item<double>(), 0.049, 0.051);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(10)]
    public void ADigitOutsideZeroToNineIsRefusedByName(int digit)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new MnistDistribution(digit));
        Assert.Contains($"digit = {digit} is not a digit; use 0-9", error.Message);
    }

    [Fact]
    public void AMissingFileIsNamedWithTheRegenerationCommand()
    {
        using var folder = new TemporaryFolder();
        var path = folder.File(MnistData.BundledFileName);
        var error = Assert.Throws<FileNotFoundException>(() => MnistData.Load(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("make_mnist.py", error.Message);
    }

    [Fact]
    public void ATruncatedCorruptOrAlteredFileIsRefusedWithTheRegenerationCommand()
    {
        using var folder = new TemporaryFolder();
        var original = File.ReadAllBytes(MnistData.BundledPath);
        var payload = Gunzip(original);

        var cutGzip = folder.File("cut-gzip.bin.gz");
        File.WriteAllBytes(cutGzip, original[..(original.Length / 2)]);
        var cutPayload = folder.File("cut-payload.bin.gz");
        File.WriteAllBytes(cutPayload, Gzip(payload[..(payload.Length - 784)]));
        var altered = payload.ToArray();
        altered[^1] ^= 0x40; // one pixel of the last image
        var alteredPath = folder.File("altered.bin.gz");
        File.WriteAllBytes(alteredPath, Gzip(altered));

        foreach (var (path, reason) in new[] { (cutGzip, "truncated"), (cutPayload, "truncated"), (alteredPath, "checksum") })
        {
            var error = Assert.Throws<InvalidDataException>(() => MnistData.Load(path));
            Assert.Contains(path, error.Message);
            Assert.Contains(reason, error.Message);
            Assert.Contains("make_mnist.py", error.Message);
        }
    }

    [Fact]
    public void TheIdxReaderReadsATinyFixtureAndItsLabels()
    {
        using var folder = new TemporaryFolder();
        // Three 2 x 3 images with labels 7, 0, 9; the images file gzip-compressed, the labels plain.
        byte[] pixels = [0, 1, 2, 3, 4, 5, 10, 20, 30, 40, 50, 60, 255, 254, 253, 252, 251, 250];
        var images = folder.File("tiny-images-idx3-ubyte.gz");
        File.WriteAllBytes(images, Gzip([0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 3, .. pixels]));
        File.WriteAllBytes(folder.File("tiny-labels-idx1-ubyte.gz"), [0, 0, 8, 1, 0, 0, 0, 3, 7, 0, 9]);

        var (shape, values) = IdxFile.Read(images);
        Assert.Equal([3, 2, 3], shape);
        Assert.Equal(pixels, values);

        var data = MnistData.Load(images);
        Assert.Equal((3, 2, 3), (data.Count, data.Rows, data.Columns));
        Assert.Equal(new byte[] { 7, 0, 9 }, data.Labels);
        using var second = data.Images([1]);
        Assert.Equal(pixels[6..12].Select(p => p / 255.0), second.data<double>().ToArray());
    }

    [Fact]
    public void IdxFilesWithAWrongMagicNumberTypeOrLengthAreRefused()
    {
        using var folder = new TemporaryFolder();
        var cases = new (byte[] Bytes, string Reason)[]
        {
            ([1, 0, 8, 1, 0, 0, 0, 1, 5], "magic number"),
            ([0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0], "0x0d is not supported"),
            ([0, 0, 8, 1, 0, 0, 0, 4, 5, 6], "truncated"),
        };
        foreach (var (bytes, reason) in cases)
        {
            var path = folder.File($"case-{reason.Length}-idx1-ubyte");
            File.WriteAllBytes(path, bytes);
            var error = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path));
            Assert.Contains(path, error.Message);
            Assert.Contains(reason, error.Message);
        }
    }

    private static byte[] Gunzip(byte[] bytes)
    {
        using var input = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest)) gzip.Write(bytes);
        return output.ToArray();
    }
}
