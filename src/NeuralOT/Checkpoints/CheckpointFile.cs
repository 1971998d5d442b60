using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using NeuralOT.IO;
using NeuralOT.Networks;
using TorchSharp;

namespace NeuralOT.Checkpoints;

/// <summary>
/// The container every checkpoint uses (version 2), little-endian: the 16 ASCII bytes <c>NeuralOT-ckpt-v2</c>; a
/// 32-bit length H and H bytes of UTF-8 JSON (<c>kind</c>, <c>sections</c>: name and byte length of each section in
/// payload order, and <c>content</c>, the kind's own header); the payload, each section's bytes in order: a network's
/// TorchSharp state (<c>Module.save</c>), or for kinds that keep training state, an optimiser's state
/// (<c>OptimizerHelper.save_state_dict</c>) or a generator's state (raw bytes of <c>get_state</c>); and last the 32-byte
/// SHA-256 of every byte before it, so that the header (iterations completed, exit reason, options, history) is as
/// well guarded as the weights. Writes go to a temporary file in the same folder that is renamed over the target, so a
/// crash mid-write leaves the previous file intact; reads check the magic, the lengths, the checksum and the kind
/// before anything is used. Version 1 files (checksum over the payload only, so an edited header went unnoticed) are
/// refused. docs/checkpoints.md describes the format for users and other tools.
/// </summary>
internal static class CheckpointFile
{
    private static readonly byte[] Magic = "NeuralOT-ckpt-v2"u8.ToArray();
    private static readonly byte[] MagicVersion1 = "NeuralOT-ckpt-v1"u8.ToArray();
    private const int MaxHeaderBytes = 64 << 20;
    private const int ChecksumBytes = 32;

    /// <summary>Keys in snake_case and enums as lower-case strings, as in config files.</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new ActivationNames(), new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>Activations by their config names (<c>silu</c>, <c>gelu</c>): the snake_case policy would split the
    /// acronyms (<c>si_lu</c>). Only version 1 files hold that spelling and they are refused now; reading it stays
    /// harmless.</summary>
    private sealed class ActivationNames : JsonConverter<Activation>
    {
        public override Activation Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var name = reader.GetString() ?? throw new JsonException("an activation must be a string such as \"silu\"");
            try
            {
                return Activations.Parse(name.Replace("_", "", StringComparison.Ordinal));
            }
            catch (ArgumentException error)
            {
                throw new JsonException(error.Message, error);
            }
        }

        public override void Write(Utf8JsonWriter writer, Activation value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.ConfigName());
    }

    public static void Write(string path, string kind, object content, IReadOnlyList<(string Name, byte[] Bytes)> sections,
        Func<Stream, Stream>? wrap = null)
    {
        var payload = sections.SelectMany(s => s.Bytes).ToArray();
        var header = new JsonObject
        {
            ["kind"] = kind,
            ["sections"] = new JsonArray(sections.Select(s => (JsonNode?)new JsonObject { ["name"] = s.Name, ["length"] = s.Bytes.Length }).ToArray()),
            ["content"] = JsonSerializer.SerializeToNode(content, content.GetType(), Json),
        };
        var headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        AtomicFile.Write(path, file =>
        {
            var stream = (wrap ?? (s => s))(file);
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            using var checksum = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var length = BitConverter.GetBytes(headerBytes.Length);
            if (!BitConverter.IsLittleEndian) Array.Reverse(length);
            foreach (var part in new[] { Magic, length, headerBytes, payload })
            {
                writer.Write(part);
                checksum.AppendData(part);
            }
            writer.Write(checksum.GetHashAndReset());
            writer.Flush();
        }, flushToDisk: true);
    }

    /// <summary>Reads and verifies a checkpoint of <paramref name="kind"/>; returns its content header and its
    /// networks' bytes by name.</summary>
    public static (T Content, IReadOnlyList<(string Name, byte[] Bytes)> Sections) Read<T>(string path, string kind)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No checkpoint at {path}.", path);
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length >= MagicVersion1.Length && bytes.AsSpan(0, MagicVersion1.Length).SequenceEqual(MagicVersion1))
            throw new InvalidDataException($"The checkpoint {path} was written by an earlier NeuralOT (format v1, whose checksum does not cover its header, so an edit would go unnoticed); run the experiment again to write a v2 checkpoint.");
        if (bytes.Length < Magic.Length + 4 || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new InvalidDataException($"{path} is not a NeuralOT checkpoint (it does not start with \"{Encoding.ASCII.GetString(Magic)}\").");
        var headerLength = BitConverter.ToInt32(bytes, Magic.Length);
        var headerStart = Magic.Length + 4;
        if (headerLength <= 0 || headerLength > MaxHeaderBytes || (long)headerStart + headerLength + ChecksumBytes > bytes.Length)
            throw new InvalidDataException($"The checkpoint {path} is truncated or corrupt: its header claims {headerLength} bytes but the file has {bytes.Length - headerStart} after the magic.");
        // Nothing in the header is trusted before the checksum over the whole file has been checked; its section
        // lengths are read first only to tell a truncated file from an edited one.
        var sections = ParseSections(bytes.AsSpan(headerStart, headerLength), path);
        var expectedLength = headerStart + headerLength + sections.Sum(s => (long)s.Length) + ChecksumBytes;
        if (bytes.Length != expectedLength)
            throw new InvalidDataException($"The checkpoint {path} is truncated or corrupt: its header describes {expectedLength} bytes, the file has {bytes.Length}.");
        if (!SHA256.HashData(bytes.AsSpan(0, bytes.Length - ChecksumBytes)).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - ChecksumBytes)))
            throw new InvalidDataException($"The checkpoint {path} is corrupt or was edited: its contents (header included) do not match their SHA-256 checksum.");
        T content;
        try
        {
            var header = JsonNode.Parse(bytes.AsSpan(headerStart, headerLength))!.AsObject();
            var actualKind = header["kind"]?.GetValue<string>();
            if (actualKind != kind)
                throw new InvalidDataException($"The checkpoint {path} holds a {actualKind} result, not a {kind} result.");
            content = header["content"].Deserialize<T>(Json) ?? throw new JsonException("no content");
        }
        catch (Exception error) when (error is JsonException or InvalidOperationException or NullReferenceException or FormatException)
        {
            throw new InvalidDataException($"The checkpoint {path} has a corrupt header: {error.Message}", error);
        }
        var payload = bytes.AsSpan(headerStart + headerLength, bytes.Length - headerStart - headerLength - ChecksumBytes);
        var offset = 0;
        var result = new List<(string, byte[])>();
        foreach (var (name, length) in sections)
        {
            result.Add((name, payload.Slice(offset, length).ToArray()));
            offset += length;
        }
        return (content, result);
    }

    private static (string Name, int Length)[] ParseSections(ReadOnlySpan<byte> header, string path)
    {
        try
        {
            var node = JsonNode.Parse(header)?.AsObject() ?? throw new JsonException("empty header");
            var sections = node["sections"]!.AsArray().Select(s => (s!["name"]!.GetValue<string>(), s["length"]!.GetValue<int>())).ToArray();
            if (sections.Any(s => s.Item2 < 0)) throw new JsonException("a negative section length");
            return sections;
        }
        catch (Exception error) when (error is JsonException or InvalidOperationException or NullReferenceException or FormatException)
        {
            throw new InvalidDataException($"The checkpoint {path} has a corrupt header: {error.Message}", error);
        }
    }

    /// <summary>Loads saved bytes into a network built with the same options; a shape mismatch is a corrupt file.</summary>
    public static void LoadInto(torch.nn.Module network, byte[] bytes, string path, string name)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes));
        try
        {
            network.load(reader, strict: true);
        }
        catch (Exception error) when (error is ArgumentException or InvalidOperationException or EndOfStreamException or IOException)
        {
            throw new InvalidDataException($"The checkpoint {path} has a {name} network that does not match its own options: {error.Message}", error);
        }
    }

    /// <summary>A network's TorchSharp state as bytes.</summary>
    public static byte[] Serialize(torch.nn.Module module) => Serialize(writer => module.save(writer));

    /// <summary>Whatever <paramref name="save"/> writes, as bytes.</summary>
    public static byte[] Serialize(Action<BinaryWriter> save)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true)) save(writer);
        return buffer.ToArray();
    }
}
