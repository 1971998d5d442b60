using System.Globalization;

namespace NeuralOT.Costs;

/// <summary>Creates costs from their config names.</summary>
public static class Cost
{
    /// <summary>The names <see cref="Parse"/> accepts.</summary>
    public const string KnownNames = "\"quadratic\" or \"power:p\" with p > 1 (for example \"power:1.5\")";

    /// <summary>Parses <c>quadratic</c> or <c>power:P</c>.</summary>
    /// <exception cref="ArgumentException">The name is not a known cost.</exception>
    public static ICost Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!TryParseExponent(name, out var p))
            throw new ArgumentException($"Unknown cost \"{name}\"; use {KnownNames}.", nameof(name));
        return name.Trim().Equals("quadratic", StringComparison.OrdinalIgnoreCase) ? QuadraticCost.Instance : new PowerCost(p);
    }

    /// <summary>
    /// The exponent p of the cost L(v) = |v|^p / p that <paramref name="name"/> names: 2 for <c>quadratic</c>, P for
    /// <c>power:P</c> with any finite P (the caller checks its range: the solvers need p &gt; 1, discrete OT takes
    /// p &gt;= 1, and p = 1 is the earth mover's distance). Used where only cost matrices are needed.
    /// </summary>
    /// <exception cref="ArgumentException">The name is neither form.</exception>
    public static double ParseExponent(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        // Only the form is checked here, so the message names no range: each caller states its own.
        return TryParseExponent(name, out var p)
            ? p
            : throw new ArgumentException($"Unknown cost \"{name}\"; use \"quadratic\" or \"power:p\" with a number p (for example \"power:1.5\").", nameof(name));
    }

    private static bool TryParseExponent(string name, out double p)
    {
        var trimmed = name.Trim();
        if (trimmed.Equals("quadratic", StringComparison.OrdinalIgnoreCase))
        {
            p = 2;
            return true;
        }
        p = double.NaN;
        return trimmed.StartsWith("power:", StringComparison.OrdinalIgnoreCase)
            && double.TryParse(trimmed["power:".Length..], NumberStyles.Float, CultureInfo.InvariantCulture, out p)
            && double.IsFinite(p);
    }

    /// <summary>The power cost with exponent p, or the quadratic cost when p is 2.</summary>
    public static ICost Power(double p) => p == 2 ? QuadraticCost.Instance : new PowerCost(p);
}
