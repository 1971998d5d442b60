using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using NeuralOT.Networks;
using TorchSharp;

namespace NeuralOT.Checkpoints;

/// <summary>
/// The container every checkpoint uses (version 1), little-endian: the 16 ASCII bytes <c>NeuralOT-ckpt-v1</c>; a
/// 32-bit length H and H bytes of UTF-8 JSON (<c>kind</c>, <c>sections</c>: name and byte length of each network in
/// payload order, <c>payload_sha256</c>, and <c>content</c>, the kind's own header); then the payload, each section's
/// bytes in order: a network's TorchSharp state (<c>Module.save</c>), or for kinds that keep training state, an
/// optimiser's state (<c>OptimizerHelper.save_state_dict</c>) or a generator's state (raw bytes of <c>get_state</c>). Writes go to a temporary file in the same folder that is renamed
/// over the target, so a crash mid-write leaves the previous file intact; reads check the magic, the payload's
/// length and checksum, and the kind. docs/checkpoints.md describes the format for users and other tools.
/// </summary>
internal static class CheckpointFile
{
    private static readonly byte[] Magic = "NeuralOT-ckpt-v1"u8.ToArray();
    private const int MaxHeaderBytes = 64 << 20;

    /// <summary>Keys in snake_case and enums as lower-case strings, as in config files.</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new ActivationNames(), new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>Activations by their config names (<c>silu</c>, <c>gelu</c>): the snake_case policy would split the
    /// acronyms (<c>si_lu</c>), which files written before this converter hold and which still read.</summary>
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
            ["payload_sha256"] = Convert.ToHexString(SHA256.HashData(payload)),
            ["content"] = JsonSerializer.SerializeToNode(content, content.GetType(), Json),
        };
        var headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());

        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        var temporary = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.partial");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            using (var stream = (wrap ?? (s => s))(file))
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

    /// <summary>Reads and verifies a checkpoint of <paramref name="kind"/>; returns its content header and its
    /// networks' bytes by name.</summary>
    public static (T Content, IReadOnlyList<(string Name, byte[] Bytes)> Sections) Read<T>(string path, string kind)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No checkpoint at {path}.", path);
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < Magic.Length + 4 || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new InvalidDataException($"{path} is not a NeuralOT checkpoint (it does not start with \"{Encoding.ASCII.GetString(Magic)}\").");
        var headerLength = BitConverter.ToInt32(bytes, Magic.Length);
        var headerStart = Magic.Length + 4;
        if (headerLength <= 0 || headerLength > MaxHeaderBytes || headerStart + headerLength > bytes.Length)
            throw new InvalidDataException($"The checkpoint {path} is truncated or corrupt: its header claims {headerLength} bytes but the file has {bytes.Length - headerStart} after the magic.");
        JsonObject header;
        (string Name, int Length)[] sections;
        T content;
        try
        {
            header = JsonNode.Parse(bytes.AsSpan(headerStart, headerLength))?.AsObject() ?? throw new JsonException("empty header");
            sections = header["sections"]!.AsArray().Select(s => (s!["name"]!.GetValue<string>(), s["length"]!.GetValue<int>())).ToArray();
            var actualKind = header["kind"]?.GetValue<string>();
            if (actualKind != kind)
                throw new InvalidDataException($"The checkpoint {path} holds a {actualKind} result, not a {kind} result.");
            content = header["content"].Deserialize<T>(Json) ?? throw new JsonException("no content");
        }
        catch (Exception error) when (error is JsonException or InvalidOperationException or NullReferenceException or FormatException)
        {
            throw new InvalidDataException($"The checkpoint {path} has a corrupt header: {error.Message}", error);
        }
        var payload = bytes.AsSpan(headerStart + headerLength);
        var expectedLength = sections.Sum(s => (long)s.Length);
        if (payload.Length != expectedLength)
            throw new InvalidDataException($"The checkpoint {path} is truncated or corrupt: expected {expectedLength} bytes of network weights, found {payload.Length}.");
        if (!string.Equals(Convert.ToHexString(SHA256.HashData(payload)), header["payload_sha256"]?.GetValue<string>(), StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"The checkpoint {path} is corrupt: the network weights do not match their SHA-256 checksum.");
        var offset = 0;
        var result = new List<(string, byte[])>();
        foreach (var (name, length) in sections)
        {
            result.Add((name, payload.Slice(offset, length).ToArray()));
            offset += length;
        }
        return (content, result);
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
