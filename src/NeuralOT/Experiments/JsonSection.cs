using System.Text.Json;
using System.Text.Json.Nodes;

namespace NeuralOT.Experiments;

/// <summary>
/// Strict reading of one JSON object of a config: every read names its key path in errors, and
/// <see cref="RejectUnknownKeys"/> reports misspelled keys with the list of valid ones.
/// </summary>
internal sealed class JsonSection
{
    private readonly JsonObject node;

    /// <param name="node">The object to read.</param>
    /// <param name="path">Its key path, for errors.</param>
    /// <param name="hint">A sentence added to the error when the node is not an object (what to write instead).</param>
    public JsonSection(JsonNode? node, string path, string? hint = null)
    {
        Path = path;
        this.node = node as JsonObject
            ?? throw new ConfigException($"{path} must be a JSON object (got {node?.ToJsonString() ?? "null"}).{(hint is null ? "" : " " + hint)}");
    }

    public string Path { get; }

    public bool Has(string key) => node.ContainsKey(key) && node[key] is not null;

    public JsonSection Section(string key, string? hint = null) => new(Required(key), Key(key), hint);

    public JsonSection? OptionalSection(string key, string? hint = null) => Has(key) ? Section(key, hint) : null;

    public string String(string key) => Convert(key, Required(key), n => n.GetValue<string>(), "a string");

    public string? OptionalString(string key) => Has(key) ? String(key) : null;

    public double Number(string key) => Finite(key, Convert(key, Required(key), n => n.GetValue<double>(), "a number"));

    public double? OptionalNumber(string key) => Has(key) ? Number(key) : null;

    public int Integer(string key) => OptionalInteger(key) ?? throw new ConfigException($"Missing key {Key(key)}.");

    public int? OptionalInteger(string key) => Has(key) ? Convert(key, Required(key), n => n.GetValue<int>(), "an integer") : null;

    public bool? OptionalBoolean(string key) => Has(key) ? Convert(key, Required(key), n => n.GetValue<bool>(), "true or false") : null;

    /// <summary>Whether the key holds true or false (rather than an object or another value).</summary>
    public bool IsBoolean(string key) => Has(key) && node[key]!.GetValueKind() is JsonValueKind.True or JsonValueKind.False;

    public double[] Vector(string key) => ReadVector(Required(key), Key(key));

    public double[][] Rows(string key) => ReadRows(Required(key), Key(key));

    public double[][][] Matrices(string key)
    {
        var array = Required(key) as JsonArray ?? throw new ConfigException($"{Key(key)} must be an array of matrices.");
        return array.Select((m, i) => ReadRows(m, $"{Key(key)}[{i}]")).ToArray();
    }

    /// <summary>Throws naming the first key that is not among <paramref name="validKeys"/>, listing the valid ones.</summary>
    public void RejectUnknownKeys(IEnumerable<string> validKeys)
    {
        var valid = validKeys.ToArray();
        foreach (var (key, _) in node)
            if (!valid.Contains(key))
                throw new ConfigException($"Unknown key {Key(key)}; valid keys here: {string.Join(", ", valid)}.");
    }

    private string Key(string key) => $"{Path}.{key}";

    private JsonNode Required(string key) => node[key] ?? throw new ConfigException($"Missing key {Key(key)}.");

    private T Convert<T>(string key, JsonNode value, Func<JsonValue, T> convert, string expected)
    {
        try
        {
            return value is JsonValue scalar ? convert(scalar) : throw new FormatException();
        }
        catch (Exception error) when (error is FormatException or InvalidOperationException or JsonException)
        {
            throw new ConfigException($"{Key(key)} must be {expected} (got {value.ToJsonString()}).");
        }
    }

    private double Finite(string key, double value) =>
        double.IsFinite(value) ? value : throw new ConfigException($"{Key(key)} must be a finite number.");

    private static double[] ReadVector(JsonNode? value, string path)
    {
        var array = value as JsonArray ?? throw new ConfigException($"{path} must be an array of numbers.");
        var result = new double[array.Count];
        for (var i = 0; i < array.Count; i++)
        {
            try
            {
                result[i] = array[i]!.GetValue<double>();
            }
            catch (Exception error) when (error is FormatException or InvalidOperationException or NullReferenceException)
            {
                throw new ConfigException($"{path}[{i}] must be a number (got {array[i]?.ToJsonString() ?? "null"}).");
            }
            if (!double.IsFinite(result[i])) throw new ConfigException($"{path}[{i}] must be a finite number.");
        }
        return result;
    }

    private static double[][] ReadRows(JsonNode? value, string path)
    {
        var array = value as JsonArray ?? throw new ConfigException($"{path} must be an array of rows (arrays of numbers).");
        return array.Select((row, i) => ReadVector(row, $"{path}[{i}]")).ToArray();
    }
}
