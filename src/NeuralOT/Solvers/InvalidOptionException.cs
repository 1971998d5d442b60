using System.Globalization;

namespace NeuralOT.Solvers;

/// <summary>
/// An option out of range, named by its property: <see cref="Option"/> is the property path inside
/// <see cref="Owner"/> (for example <c>Iterations</c>, or <c>HeldOut.Fraction</c> inside <c>SolverOptions</c>), and
/// <see cref="Fix"/> says what to set instead. The message reads "SolverOptions.Iterations = -1 is invalid: it must be
/// zero or more."; a front end that reads the options from its own format (a config file) names its own key for the
/// property instead, with the same value and fix.
/// </summary>
public sealed class InvalidOptionException : ArgumentOutOfRangeException
{
    /// <summary>An invalid option.</summary>
    /// <param name="owner">The options type, for example <c>SolverOptions</c>.</param>
    /// <param name="option">The property path inside it, for example <c>HeldOut.Fraction</c>.</param>
    /// <param name="value">The value it holds.</param>
    /// <param name="fix">What to set instead, as a clause: "it must be at least 1".</param>
    public InvalidOptionException(string owner, string option, object? value, string fix)
        : base(option, value, null)
    {
        Message = $"{owner}.{option} = {Show(value)} is invalid: {fix}.";
        Owner = owner;
        Option = option;
        Fix = fix;
    }

    /// <summary>One line: the option, its value and the fix.</summary>
    public override string Message { get; }

    /// <summary>The options type, for example <c>SolverOptions</c>.</summary>
    public string Owner { get; }

    /// <summary>The property path of the option inside <see cref="Owner"/>, for example <c>HeldOut.Fraction</c>.</summary>
    public string Option { get; }

    /// <summary>What to set instead, as a clause ("it must be at least 1").</summary>
    public string Fix { get; }

    /// <summary>The same error seen from an options type that holds the one at fault in its property
    /// <paramref name="property"/> (a <c>HeldOutOptions</c> inside <c>SolverOptions.HeldOut</c>).</summary>
    public InvalidOptionException Within(string owner, string property) => new(owner, $"{property}.{Option}", ActualValue, Fix);

    /// <summary>Runs <paramref name="check"/> of the options that <paramref name="owner"/> holds in
    /// <paramref name="property"/>; an error it throws names the option from <paramref name="owner"/>
    /// (<see cref="Within"/>).</summary>
    public static void CheckWithin(string owner, string property, Action check)
    {
        try
        {
            check();
        }
        catch (InvalidOptionException error)
        {
            throw error.Within(owner, property);
        }
    }

    /// <summary>A value as messages show it: numbers in the invariant culture, names of enums and booleans in lower case
    /// (as a config writes them).</summary>
    public static string Show(object? value) => value switch
    {
        null => "null",
        bool flag => flag ? "true" : "false",
        Enum name => name.ToString().ToLowerInvariant(),
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
