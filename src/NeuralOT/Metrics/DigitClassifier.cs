using System.Collections.Concurrent;
using System.Security.Cryptography;
using NeuralOT.Distributions;
using NeuralOT.IO;
using NeuralOT.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralOT.Metrics;

/// <summary>
/// A small convolutional digit classifier (two 5 x 5 convolutions with max pooling, then two linear layers), the
/// instrument behind <c>target_class_accuracy</c>: it judges which digit a transported image shows. It is trained on
/// the training split of a digit data set and measured on its test split. Inputs are float64 (or float32) tensors of
/// shape n x 784 with pixels in [0, 1]; owns its network, so dispose it when done.
/// </summary>
public sealed class DigitClassifier : IDisposable
{
    /// <summary>Seed of the classifier's initialisation and batch order.</summary>
    public const int DefaultSeed = 7;

    /// <summary>Passes over the training split.</summary>
    public const int DefaultEpochs = 6;

    // Bump when the architecture or training recipe changes, so cached weights of the old recipe are not reused.
    private const string RecipeVersion = "conv16-32-v1";
    private const int BatchSize = 64;
    private const double LearningRate = 2e-3;
    private static readonly ConcurrentDictionary<string, DigitClassifier> Shared = new();
    private readonly Sequential _network;


    private DigitClassifier(int side)
    {
        Side = side;
        var pooled = ((side - 4) / 2 - 4) / 2;
        _network = nn.Sequential(
            ("conv1", nn.Conv2d(1, 16, 5)), ("relu1", nn.ReLU()), ("pool1", nn.MaxPool2d(2)),
            ("conv2", nn.Conv2d(16, 32, 5)), ("relu2", nn.ReLU()), ("pool2", nn.MaxPool2d(2)),
            ("flatten", nn.Flatten()),
            ("linear1", nn.Linear(32 * pooled * pooled, 128)), ("relu3", nn.ReLU()),
            ("linear2", nn.Linear(128, 10)));
    }

    /// <summary>The image side in pixels (28 for MNIST).</summary>
    public int Side { get; }

    /// <summary>Trains a classifier on the training split of <paramref name="data"/> (deterministic for a seed;
    /// takes a few seconds to a minute on one CPU thread).</summary>
    /// <param name="data">Square images with labels 0-9.</param>
    /// <param name="seed">Seed of the initialisation and of the batch order.</param>
    /// <param name="epochs">Passes over the training split (&gt;= 1).</param>
    public static DigitClassifier Train(MnistData data, int seed = DefaultSeed, int epochs = DefaultEpochs)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Rows != data.Columns || data.Rows < 16)
            throw new ArgumentException($"The classifier needs square images of at least 16 x 16 pixels, got {data.Rows} x {data.Columns}.", nameof(data));
        if (epochs < 1) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, $"epochs must be at least 1, got {epochs}.");
        DigitClassifier classifier;
        using (TorchGlobalState.Seeded(seed, get_num_threads()))
            classifier = new DigitClassifier(data.Rows);
        var (images, labelArray) = data.Split(MnistSplit.Train);
        using var x = images.to(float32);
        images.Dispose();
        using var y = tensor(labelArray);
        var generator = new Generator((ulong)seed);
        var n = (int)x.shape[0];
        var steps = epochs * ((n + BatchSize - 1) / BatchSize);
        using var optimizer = optim.Adam(classifier._network.parameters(), LearningRate);
        var step = 0;
        classifier._network.train();
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            using var order = randperm(n, generator: generator);
            for (var start = 0; start < n; start += BatchSize)
            {
                using var scope = NewDisposeScope();
                // Cosine decay of the learning rate over all steps.
                foreach (var group in optimizer.ParamGroups)
                    group.LearningRate = LearningRate * 0.5 * (1 + Math.Cos(Math.PI * step / steps));
                var rows = order.narrow(0, start, Math.Min(BatchSize, n - start));
                var logits = classifier.Logits(x.index_select(0, rows));
                var loss = nn.functional.cross_entropy(logits, y.index_select(0, rows));
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                step++;
            }
        }
        classifier._network.eval();
        return classifier;
    }

    /// <summary>
    /// The classifier of <paramref name="data"/>, trained once per machine: kept in memory for the process and in
    /// <paramref name="cacheFolder"/> (default <see cref="DefaultCacheFolder"/>) under a name derived from the data's
    /// checksum, the recipe and the seed, so every run on the same data is judged by the same classifier.
    /// </summary>
    public static DigitClassifier ForData(MnistData data, string? cacheFolder = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        var folder = cacheFolder ?? DefaultCacheFolder;
        var file = Path.Combine(folder, $"digit-classifier-{RecipeVersion}-seed{DefaultSeed}-{DataChecksum(data)[..16]}.bin");
        return Shared.GetOrAdd(Path.GetFullPath(file), path =>
        {
            if (File.Exists(path))
            {
                var cached = new DigitClassifier(data.Rows);
                try
                {
                    cached._network.load(path);
                    cached._network.eval();
                    return cached;
                }
                catch (Exception error) when (error is ArgumentException or InvalidDataException or IOException or EndOfStreamException)
                {
                    // A damaged cache file is rebuilt rather than trusted.
                    cached.Dispose();
                }
            }
            var trained = Train(data);
            Directory.CreateDirectory(folder);
            AtomicFile.Write(path, stream =>
            {
                using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
                trained._network.save(writer);
            });
            return trained;
        });
    }

    /// <summary>Where <see cref="ForData"/> keeps trained classifiers: <c>$NEURALOT_CACHE</c>, or
    /// <c>NeuralOT/cache</c> under the user's local application-data folder.</summary>
    public static string DefaultCacheFolder =>
        Environment.GetEnvironmentVariable("NEURALOT_CACHE") is { Length: > 0 } custom
            ? custom
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "NeuralOT", "cache");

    /// <summary>The predicted digit of every image (n x pixels, values in [0, 1]).</summary>
    public long[] Predict(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() != 2 || images.shape[1] != Side * Side)
            throw new ArgumentException($"Expected images of shape n x {Side * Side}, got [{string.Join(", ", images.shape)}].", nameof(images));
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var predictions = new List<long>();
        for (long start = 0; start < images.shape[0]; start += 1024)
        {
            var chunk = images.narrow(0, start, Math.Min(1024, images.shape[0] - start)).to(float32, CPU);
            predictions.AddRange(Logits(chunk).argmax(1).data<long>().ToArray());
        }
        return predictions.ToArray();
    }

    /// <summary>The share (0-1) of <paramref name="images"/> classified as <paramref name="digit"/>.</summary>
    public double Accuracy(Tensor images, int digit)
    {
        var predictions = Predict(images);
        return predictions.Length == 0 ? 0 : predictions.Count(p => p == digit) / (double)predictions.Length;
    }

    /// <summary>The share (0-1) of the images of <paramref name="split"/> classified as their own label.</summary>
    public double Accuracy(MnistData data, MnistSplit split)
    {
        ArgumentNullException.ThrowIfNull(data);
        var (images, labels) = data.Split(split);
        using (images)
        {
            var predictions = Predict(images);
            return predictions.Where((p, i) => p == labels[i]).Count() / (double)predictions.Length;
        }
    }

    // Centre and scale the pixels (MNIST's mean and spread) so the default initialisation trains quickly.
    private Tensor Logits(Tensor flatImages) => _network.forward(((flatImages - 0.13) / 0.31).reshape(-1, 1, Side, Side));

    private static string DataChecksum(MnistData data)
    {
        var (images, labels) = data.Split(MnistSplit.Train);
        using (images)
        {
            using var bytes = (images * 255).round().to(ScalarType.Byte);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            hash.AppendData(bytes.data<byte>().ToArray());
            hash.AppendData(labels.Select(l => (byte)l).ToArray());
            return Convert.ToHexStringLower(hash.GetHashAndReset());
        }
    }

    /// <inheritdoc />
    public void Dispose() => _network.Dispose();
}
