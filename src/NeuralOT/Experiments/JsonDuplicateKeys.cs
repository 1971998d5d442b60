using System.Text;
using System.Text.Json;

namespace NeuralOT.Experiments;

/// <summary>
/// Finds a key written twice in one JSON object. System.Text.Json's nodes only fail later with "An item with the same
/// key has already been added", without saying where; a config must say which key, in which section, on which line.
/// </summary>
internal static class JsonDuplicateKeys
{
    /// <summary>Throws a <see cref="ConfigException"/> for the first key that appears twice in one object.</summary>
    /// <param name="json">The config text (comments and trailing commas allowed, as for configs).</param>
    /// <param name="root">The name of the top-level object in messages, e.g. <c>config</c>.</param>
    public static void Reject(string json, string root)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        // One frame per open object or array: its path and, for objects, the keys seen so far.
        var frames = new Stack<(string Path, HashSet<string>? Keys)>();
        string? pendingKey = null;
        var arrayIndex = new Stack<int>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        var key = reader.GetString()!;
                        var (path, keys) = frames.Peek();
                        if (!keys!.Add(key))
                            throw new ConfigException($"{path} has the key \"{key}\" twice (the second on line {Line(bytes, reader.TokenStartIndex)}); keep one of them.");
                        pendingKey = key;
                        break;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        var childPath = frames.Count == 0 ? root : ChildPath(frames.Peek().Path, frames.Peek().Keys is null, pendingKey, arrayIndex);
                        frames.Push((childPath, reader.TokenType == JsonTokenType.StartObject ? new HashSet<string>(StringComparer.Ordinal) : null));
                        if (reader.TokenType == JsonTokenType.StartArray) arrayIndex.Push(0);
                        pendingKey = null;
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        if (frames.Pop().Keys is null) arrayIndex.Pop();
                        AdvanceArray(frames, arrayIndex);
                        break;
                    default:
                        pendingKey = null;
                        AdvanceArray(frames, arrayIndex);
                        break;
                }
            }
        }
        catch (JsonException)
        {
            // Malformed JSON is reported by the parser proper, with its own position.
        }
    }

    private static string ChildPath(string parent, bool parentIsArray, string? key, Stack<int> arrayIndex) =>
        parentIsArray ? $"{parent}[{arrayIndex.Peek()}]" : $"{parent}.{key}";

    /// <summary>After a value inside an array, the next one has the next index.</summary>
    private static void AdvanceArray(Stack<(string Path, HashSet<string>? Keys)> frames, Stack<int> arrayIndex)
    {
        if (frames.Count > 0 && frames.Peek().Keys is null) arrayIndex.Push(arrayIndex.Pop() + 1);
    }

    private static int Line(byte[] bytes, long offset) => 1 + bytes.AsSpan(0, (int)offset).Count((byte)'\n');
}
