using System.Text.Json.Nodes;
using NeuralOT.Solvers;

namespace NeuralOT.Experiments;

/// <summary>
/// One key of a config section, defined once: its name, how its value is read into the section's record and written
/// back, and which property of the record holds it (so that a validation error about the property names the key).
/// Build keys with the factories of <see cref="ConfigKey"/>.
/// </summary>
/// <typeparam name="T">The record the section reads into.</typeparam>
/// <param name="Name">The key as written in JSON.</param>
/// <param name="Read">Sets the key's value (read from the section) on the record.</param>
/// <param name="Write">The key's value as JSON; null leaves the key out.</param>
internal sealed record ConfigKey<T>(string Name, Func<JsonSection, string, T, T> Read, Func<T, JsonNode?> Write)
{
    /// <summary>Read even when absent (the reader throws "Missing key").</summary>
    public bool Required { get; init; }

    /// <summary>The property path of the record that holds the value (for example <c>HeldOut</c> or
    /// <c>Options.Network.Width</c>); null when no validation error can name it.</summary>
    public string? Property { get; init; }

    /// <summary>For a key whose value is a section: that section's schema, for the keys below it.</summary>
    public IConfigSchema? Section { get; init; }

    /// <summary>Added to a validation error about this key or a key below it, in parentheses: how to write what the
    /// error's fix suggests (<c>"held_out": false</c> turns the guard off).</summary>
    public string? Hint { get; init; }
}

/// <summary>The key paths of a config section, for messages.</summary>
internal interface IConfigSchema
{
    /// <summary>The key path (for example <c>held_out.fraction</c>) of a property path of the section's record (for
    /// example <c>HeldOut.Fraction</c>), with the hint of the keys it passes; null when no key holds it.</summary>
    (string Path, string? Hint)? KeyPathOf(string property);
}

/// <summary>
/// The keys of one config section: the reader (which refuses unknown keys), the writer and the validation messages
/// all use this one list, so adding a key is one line.
/// </summary>
/// <typeparam name="T">The record the section reads into.</typeparam>
internal sealed class ConfigSchema<T>(params ConfigKey<T>[] keys) : IConfigSchema
{
    /// <summary>The keys, in the order they are read and written.</summary>
    public IReadOnlyList<ConfigKey<T>> Keys { get; } = keys;

    /// <summary>The key names.</summary>
    public IEnumerable<string> Names => Keys.Select(k => k.Name);

    /// <summary>Reads the section into <paramref name="defaults"/>: every key present (and every required key) is set,
    /// the others keep their default. An unknown key is refused first, with the list of valid ones.</summary>
    /// <exception cref="ConfigException">An unknown or missing key, or a value of the wrong type.</exception>
    public T Read(JsonSection section, T defaults)
    {
        section.RejectUnknownKeys(Names);
        var value = defaults;
        foreach (var key in Keys)
            if (key.Required || section.Has(key.Name))
                value = key.Read(section, key.Name, value);
        return value;
    }

    /// <summary>The record as a JSON object, its keys in schema order.</summary>
    public JsonObject Write(T value)
    {
        var json = new JsonObject();
        foreach (var key in Keys)
            if (key.Write(value) is { } node)
                json[key.Name] = node;
        return json;
    }

    /// <summary>Runs <paramref name="validate"/>; an <see cref="InvalidOptionException"/> it throws becomes a
    /// <see cref="ConfigException"/> that names the key below <paramref name="path"/> holding the option, with the
    /// value as the config writes it and the fix.</summary>
    /// <param name="path">The section's key path, for example <c>config.solver</c>.</param>
    /// <param name="validate">The record's own checks (the library's, which name properties).</param>
    /// <exception cref="ConfigException">An option out of range.</exception>
    public void Validate(string path, Action validate)
    {
        try
        {
            validate();
        }
        catch (InvalidOptionException error)
        {
            throw Refusal(path, error);
        }
    }

    /// <summary>The config's wording of an invalid option of this section: its key path, the value and the fix.</summary>
    /// <param name="path">The section's key path, for example <c>config.solver</c>.</param>
    /// <param name="error">The library's error, naming the option by its property.</param>
    public ConfigException Refusal(string path, InvalidOptionException error)
    {
        if (KeyPathOf(error.Option) is not var (keyPath, hint))
            return new ConfigException($"{path}: {error.Message}", error);
        var how = hint is null ? "" : $" ({hint})";
        return new ConfigException($"{path}.{keyPath} = {InvalidOptionException.Show(error.ActualValue)} is invalid: {error.Fix}{how}.", error);
    }

    /// <inheritdoc />
    public (string Path, string? Hint)? KeyPathOf(string property)
    {
        foreach (var key in Keys)
        {
            if (key.Property == property) return (key.Name, key.Hint);
            if (key.Property is { } prefix && key.Section is { } section && property.StartsWith(prefix + ".", StringComparison.Ordinal)
                && section.KeyPathOf(property[(prefix.Length + 1)..]) is var (below, hint))
                return ($"{key.Name}.{below}", hint ?? key.Hint);
        }
        return null;
    }
}

/// <summary>Factories of <see cref="ConfigKey{T}"/> for the value types of configs.</summary>
internal static class ConfigKey
{
    /// <summary>A whole number.</summary>
    public static ConfigKey<T> Integer<T>(string name, string property, Func<T, int> get, Func<T, int, T> set) =>
        new(name, (section, key, value) => set(value, section.Integer(key)), value => get(value)) { Property = property };

    /// <summary>A whole number that may be unset (then it is not written).</summary>
    public static ConfigKey<T> OptionalInteger<T>(string name, string property, Func<T, int?> get, Func<T, int?, T> set) =>
        new(name, (section, key, value) => set(value, section.OptionalInteger(key)), value => get(value) is { } number ? number : null) { Property = property };

    /// <summary>A finite number.</summary>
    public static ConfigKey<T> Number<T>(string name, string property, Func<T, double> get, Func<T, double, T> set) =>
        new(name, (section, key, value) => set(value, section.Number(key)), value => get(value)) { Property = property };

    /// <summary>A finite number that may be unset (then it is not written).</summary>
    public static ConfigKey<T> OptionalNumber<T>(string name, string property, Func<T, double?> get, Func<T, double?, T> set) =>
        new(name, (section, key, value) => set(value, section.OptionalNumber(key)), value => get(value) is { } number ? number : null) { Property = property };

    /// <summary>true or false; <paramref name="writeWhen"/> leaves it out of the JSON unless it holds (for keys that are
    /// only written when set).</summary>
    public static ConfigKey<T> Boolean<T>(string name, string property, Func<T, bool> get, Func<T, bool, T> set, Func<bool, bool>? writeWhen = null) =>
        new(name, (section, key, value) => set(value, section.OptionalBoolean(key) ?? false), value => writeWhen is null || writeWhen(get(value)) ? get(value) : null)
        { Property = property };

    /// <summary>A string.</summary>
    public static ConfigKey<T> Text<T>(string name, string property, Func<T, string> get, Func<T, string, T> set) =>
        new(name, (section, key, value) => set(value, section.String(key)), value => get(value)) { Property = property };

    /// <summary>One of the names of <typeparamref name="TEnum"/>, in lower case.</summary>
    public static ConfigKey<T> Choice<T, TEnum>(string name, string property, Func<T, TEnum> get, Func<T, TEnum, T> set) where TEnum : struct, Enum =>
        new(name, (section, key, value) => set(value, ParseChoice<TEnum>(section.String(key), $"{section.Path}.{key}")), value => get(value).ToString().ToLowerInvariant())
        { Property = property };

    /// <summary>A distribution's <c>type</c>: written first; on reading, the type has already chosen the spec.</summary>
    public static ConfigKey<T> TypeTag<T>() where T : DistributionSpec =>
        new("type", (section, key, value) => value, value => value.Type);

    /// <summary>A nested section read with its own schema into <paramref name="get"/>'s current value.</summary>
    public static ConfigKey<T> Section<T, TSection>(string name, string property, ConfigSchema<TSection> schema, Func<T, TSection> get, Func<T, TSection, T> set) =>
        new(name, (section, key, value) => set(value, schema.Read(section.Section(key), get(value))), value => schema.Write(get(value)))
        { Property = property, Section = schema };

    /// <summary>A name of <typeparamref name="TEnum"/> (case-insensitive), or a message listing the names.</summary>
    /// <exception cref="ConfigException">Not a name of the enum.</exception>
    public static TEnum ParseChoice<TEnum>(string value, string path) where TEnum : struct, Enum =>
        Enum.TryParse<TEnum>(value, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)
            ? parsed
            : throw new ConfigException($"{path} = \"{value}\" is invalid; use one of {string.Join(", ", Enum.GetNames<TEnum>().Select(n => $"\"{n.ToLowerInvariant()}\""))}.");
}
