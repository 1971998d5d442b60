using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using NeuralOT.Costs;
using NeuralOT.Distributions;
using NeuralOT.Networks;
using NeuralOT.Solvers;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Checkpoints;

/// <summary>
/// Saves and loads a phase-1 result: its networks, the options that built them, the preconditioner, the history
/// and why training stopped.
/// </summary>
/// <remarks>
/// <para>File format (version 1), little-endian:</para>
/// <list type="number">
/// <item>the 16 ASCII bytes <c>NeuralOT-ckpt-v1</c>;</item>
/// <item>a 32-bit length H, then H bytes of UTF-8 JSON: <c>dimension</c>, <c>cost</c>, <c>solver</c> (the resolved
/// options, keys as in config files), <c>preconditioner</c> (null or <c>scale</c>, <c>source_mean</c>,
/// <c>target_mean</c>), <c>iterations_completed</c>, <c>exit_reason</c>, <c>exit_message</c>,
/// <c>training_seconds</c>, <c>history</c> (the history.csv text), <c>sections</c> (name and byte length of each
/// network, in payload order) and <c>payload_sha256</c>;</item>
/// <item>the payload: each network's TorchSharp state (<c>Module.save</c>), in the order of <c>sections</c>.</item>
/// </list>
/// <para>Loading checks the magic, the payload's length and SHA-256 checksum (a truncated or corrupt file is refused)
/// and that the checkpoint fits the problem it is loaded for. Saving writes a temporary file in the same folder and
/// renames it over the target, so a crash mid-write leaves the previous checkpoint intact.</para>
/// </remarks>
public static class TransportCheckpoint
{
    /// <summary>The usual file extension.</summary>
    public const string Extension = ".ckpt";

    private static readonly byte[] Magic = "NeuralOT-ckpt-v1"u8.ToArray();
    private const int MaxHeaderBytes = 64 << 20;

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>Writes <paramref name="result"/> to <paramref name="path"/> atomically.</summary>
    public static void Save(TransportResult result, string path) => Save(result, path, stream => stream);

    /// <summary>Save with a hook around the file stream (tests use it to simulate a crash mid-write).</summary>
    internal static void Save(TransportResult result, string path, Func<Stream, Stream> wrap)
    {
        ArgumentNullException.ThrowIfNull(result);
        var sections = new List<(string Name, byte[] Bytes)> { ("map", Serialize(result.Map)), ("critic", Serialize(result.Critic)) };
        if (result.ReverseMap is not null) sections.Add(("reverse_map", Serialize(result.ReverseMap)));
        if (result.ReverseCritic is not null) sections.Add(("reverse_critic", Serialize(result.ReverseCritic)));
        var payload = sections.SelectMany(s => s.Bytes).ToArray();
        var header = new CheckpointHeader
        {
            Dimension = result.Dimension,
            Cost = result.Cost.Name,
            Solver = result.Options,
            Preconditioner = result.Preconditioner is { } p ? new PreconditionerState(p.Scale, p.SourceMean, p.TargetMean) : null,
            IterationsCompleted = result.IterationsCompleted,
            ExitReason = result.ExitReason,
            ExitMessage = result.ExitMessage,
            TrainingSeconds = result.TrainingTime.TotalSeconds,
            History = result.History.ToCsv(),
            Sections = sections.Select(s => new SectionState(s.Name, s.Bytes.Length)).ToArray(),
            PayloadSha256 = Convert.ToHexString(SHA256.HashData(payload)),
        };
        var headerBytes = JsonSerializer.SerializeToUtf8Bytes(header, Json);

        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        var temporary = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.partial");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            using (var stream = wrap(file))
            using (var writer = new BinaryWriter(stream))
            {
                writer.Write(Magic);
                writer.Write(headerBytes.Length);
                writer.Write(headerBytes);
                writer.Write(payload);
                writer.Flush();
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    /// <summary>Reads a checkpoint's header (without loading the networks).</summary>
    /// <exception cref="InvalidDataException">Not a checkpoint, truncated or corrupt (the message says which).</exception>
    public static CheckpointHeader ReadHeader(string path) => Read(path).Header;

    /// <summary>Loads a checkpoint as a result for the given problem.</summary>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="source">mu0 of the problem (the checkpoint holds networks, not distributions).</param>
    /// <param name="target">mu1 of the problem.</param>
    /// <param name="cost">The cost; must be the one the checkpoint was trained with.</param>
    /// <param name="expected">If given, the options the caller expects; every setting that shapes the networks
    /// (critic form, network shapes, bidirectional, preconditioning) must match.</param>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">Not a checkpoint, truncated, corrupt, or trained for another problem.</exception>
    public static TransportResult Load(string path, IDistribution source, IDistribution target, ICost cost, SolverOptions? expected = null)
    {
        var (header, payload) = Read(path);
        var problems = new List<string>();
        if (header.Dimension != source.Dimension || header.Dimension != target.Dimension)
            problems.Add($"it is {header.Dimension}-dimensional but the problem is {source.Dimension}-dimensional");
        if (header.Cost != cost.Name) problems.Add($"it was trained with the cost {header.Cost}, not {cost.Name}");
        if (expected?.Resolve() is { } wanted)
        {
            var saved = header.Solver;
            if (saved.Critic != wanted.Critic) problems.Add($"solver.critic is {Name(saved.Critic)}, not {Name(wanted.Critic)}");
            if (saved.MapNetwork != wanted.MapNetwork) problems.Add($"solver.map_network is {Shape(saved.MapNetwork)}, not {Shape(wanted.MapNetwork)}");
            if (saved.CriticNetwork != wanted.CriticNetwork) problems.Add($"solver.critic_network is {Shape(saved.CriticNetwork)}, not {Shape(wanted.CriticNetwork)}");
            if ((saved.Bidirectional is null) != (wanted.Bidirectional is null)) problems.Add($"it was trained {(saved.Bidirectional is null ? "in one direction" : "bidirectionally")}");
            if (saved.Preconditioning != wanted.Preconditioning) problems.Add($"solver.preconditioning is {Name(saved.Preconditioning)}, not {Name(wanted.Preconditioning)}");
        }
        if (problems.Count > 0)
            throw new InvalidDataException($"The checkpoint {path} does not fit this problem: {string.Join("; ", problems)}.");

        var options = header.Solver;
        var timeDependent = options.Critic == CriticForm.Time;
        var networks = new Dictionary<string, nn.Module>
        {
            ["map"] = new MapNetwork(header.Dimension, options.MapNetwork),
            ["critic"] = new CriticNetwork(header.Dimension, timeDependent, options.CriticNetwork),
        };
        if (options.Bidirectional is not null)
        {
            networks["reverse_map"] = new MapNetwork(header.Dimension, options.MapNetwork);
            networks["reverse_critic"] = new CriticNetwork(header.Dimension, timeDependent, options.CriticNetwork);
        }
        var offset = 0;
        foreach (var section in header.Sections)
        {
            if (!networks.TryGetValue(section.Name, out var network))
                throw new InvalidDataException($"The checkpoint {path} holds an unexpected network \"{section.Name}\".");
            using var reader = new BinaryReader(new MemoryStream(payload, offset, section.Length));
            try
            {
                network.load(reader, strict: true);
            }
            catch (Exception error) when (error is ArgumentException or InvalidOperationException or EndOfStreamException or IOException)
            {
                throw new InvalidDataException($"The checkpoint {path} has a {section.Name} network that does not match its own options: {error.Message}", error);
            }
            offset += section.Length;
        }
        var device = MinimaxSolver.ResolveDevice(options.Device);
        foreach (var network in networks.Values) network.to(device);
        var preconditioner = header.Preconditioner is { } p ? new AffinePreconditioner(p.Scale, p.SourceMean, p.TargetMean) : null;
        var outcome = new TrainingOutcome(TrainingHistory.FromCsv(header.History), header.ExitReason, header.ExitMessage,
            header.IterationsCompleted, TimeSpan.FromSeconds(header.TrainingSeconds));
        return new TransportResult(source, target, cost, options,
            (MapNetwork)networks["map"], (CriticNetwork)networks["critic"],
            networks.GetValueOrDefault("reverse_map") as MapNetwork, networks.GetValueOrDefault("reverse_critic") as CriticNetwork,
            preconditioner, outcome);
    }

    private static (CheckpointHeader Header, byte[] Payload) Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No checkpoint at {path}.", path);
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < Magic.Length + 4 || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new InvalidDataException($"{path} is not a NeuralOT checkpoint (it does not start with \"{Encoding.ASCII.GetString(Magic)}\").");
        var headerLength = BitConverter.ToInt32(bytes, Magic.Length);
        var headerStart = Magic.Length + 4;
        if (headerLength <= 0 || headerLength > MaxHeaderBytes || headerStart + headerLength > bytes.Length)
            throw new InvalidDataException($"The checkpoint {path} is truncated or corrupt: its header claims {headerLength} bytes but the file has {bytes.Length - headerStart} after the magic.");
        CheckpointHeader header;
        try
        {
            header = JsonSerializer.Deserialize<CheckpointHeader>(bytes.AsSpan(headerStart, headerLength), Json)
                     ?? throw new JsonException("empty header");
        }
        catch (JsonException error)
        {
            throw new InvalidDataException($"The checkpoint {path} has a corrupt header: {error.Message}", error);
        }
        var payload = bytes[(headerStart + headerLength)..];
        var expectedLength = header.Sections.Sum(s => (long)s.Length);
        if (payload.Length != expectedLength)
            throw new InvalidDataException($"The checkpoint {path} is truncated or corrupt: expected {expectedLength} bytes of network weights, found {payload.Length}.");
        if (!string.Equals(Convert.ToHexString(SHA256.HashData(payload)), header.PayloadSha256, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"The checkpoint {path} is corrupt: the network weights do not match their SHA-256 checksum.");
        return (header, payload);
    }

    private static byte[] Serialize(nn.Module module)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true)) module.save(writer);
        return buffer.ToArray();
    }

    private static string Name<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();

    private static string Shape(NetworkOptions network) => $"{network.Depth} x {network.Width} {Name(network.Activation)}";
}

/// <summary>The JSON header of a checkpoint (see <see cref="TransportCheckpoint"/>).</summary>
public sealed record CheckpointHeader
{
    /// <summary>The dimension d.</summary>
    public int Dimension { get; init; }
    /// <summary>The cost's config name.</summary>
    public string Cost { get; init; } = "";
    /// <summary>The resolved options that built and trained the networks.</summary>
    public SolverOptions Solver { get; init; } = new();
    /// <summary>The affine preconditioner, or null.</summary>
    public PreconditionerState? Preconditioner { get; init; }
    /// <summary>Outer iterations completed.</summary>
    public int IterationsCompleted { get; init; }
    /// <summary>Why training stopped (<see cref="ExitReason.Cancelled"/> for a periodic checkpoint).</summary>
    public ExitReason ExitReason { get; init; }
    /// <summary>The one-line explanation.</summary>
    public string ExitMessage { get; init; } = "";
    /// <summary>Training time until the checkpoint.</summary>
    public double TrainingSeconds { get; init; }
    /// <summary>The history as history.csv text.</summary>
    public string History { get; init; } = "";
    /// <summary>The networks in payload order.</summary>
    public SectionState[] Sections { get; init; } = [];
    /// <summary>SHA-256 of the payload, hexadecimal.</summary>
    public string PayloadSha256 { get; init; } = "";
}

/// <summary>A saved network: its name and byte length.</summary>
public sealed record SectionState(string Name, int Length);

/// <summary>A saved <see cref="AffinePreconditioner"/>.</summary>
public sealed record PreconditionerState(double Scale, double[] SourceMean, double[] TargetMean);
