using System.IO.Compression;

namespace NeuralOT.Distributions;

/// <summary>
/// Reads IDX files, the format of the original MNIST and of Fashion-MNIST (<c>train-images-idx3-ubyte</c>,
/// <c>train-labels-idx1-ubyte</c>, optionally gzip-compressed): two zero bytes, a type byte, the number of dimensions,
/// the size of each dimension (big-endian 32-bit), then the values. Only unsigned bytes (type 0x08) are read.
/// </summary>
public static class IdxFile
{
    private const byte UnsignedByte = 0x08;

    /// <summary>Reads one IDX file of unsigned bytes (gzip or plain; recognised by its first bytes).</summary>
    /// <param name="path">The file.</param>
    /// <returns>The dimension sizes and the values in row-major order.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The magic number is wrong, the type is not unsigned byte, or the file is
    /// shorter than its header says.</exception>
    public static (int[] Shape, byte[] Values) Read(string path)
    {
        var bytes = ReadMaybeGzip(path);
        if (bytes.Length < 4 || bytes[0] != 0 || bytes[1] != 0)
            throw new InvalidDataException(
                $"{path} is not an IDX file: its magic number must start with two zero bytes (got {Hex(bytes, 4)}); pass an MNIST-style *-idx?-ubyte file.");
        if (bytes[2] != UnsignedByte)
            throw new InvalidDataException(
                $"{path}: IDX value type 0x{bytes[2]:x2} is not supported; only unsigned bytes (0x08), as in MNIST, are read.");
        int dimensions = bytes[3];
        if (dimensions < 1 || bytes.Length < 4 + 4 * dimensions)
            throw new InvalidDataException($"{path}: the IDX header declares {dimensions} dimensions but the file is too short for them; the file is truncated or not IDX.");
        var shape = new int[dimensions];
        long count = 1;
        for (var i = 0; i < dimensions; i++)
        {
            var offset = 4 + 4 * i;
            var size = (bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3];
            if (size < 0) throw new InvalidDataException($"{path}: IDX dimension {i} has the invalid size {size}.");
            shape[i] = size;
            count *= size;
        }
        var header = 4 + 4 * dimensions;
        if (bytes.Length - header != count)
            throw new InvalidDataException(
                $"{path}: the IDX header announces {count} values ({string.Join(" x ", shape)}) but the file holds {bytes.Length - header}; the file is truncated or corrupt, download it again.");
        return (shape, bytes.AsSpan(header).ToArray());
    }

    /// <summary>The bytes of a file, gunzipped when it starts with the gzip signature.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The gzip stream is truncated or corrupt.</exception>
    internal static byte[] ReadMaybeGzip(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"The data file {path} does not exist; check the path.", path);
        var raw = File.ReadAllBytes(path);
        if (raw.Length < 2 || raw[0] != 0x1f || raw[1] != 0x8b) return raw;
        try
        {
            using var input = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
            using var output = new MemoryStream();
            input.CopyTo(output);
            return output.ToArray();
        }
        catch (Exception error) when (error is InvalidDataException or EndOfStreamException or IOException)
        {
            throw new InvalidDataException($"{path} is a truncated or corrupt gzip file ({error.Message})", error);
        }
    }

    private static string Hex(byte[] bytes, int count) =>
        string.Join(" ", bytes.Take(count).Select(b => $"0x{b:x2}"));
}
