namespace NeuralOT.Distributions;

/// <summary>One-line boundary checks for sampler parameters (the message names the parameter and the allowed range).</summary>
internal static class ParameterChecks
{
    public static void Positive(int value, string paramName)
    {
        if (value <= 0) throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be positive, got {value}");
    }

    public static void Positive(double value, string paramName)
    {
        if (!double.IsFinite(value) || value <= 0)
            throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be finite and positive, got {value}");
    }

    public static void NonNegative(double value, string paramName)
    {
        if (!double.IsFinite(value) || value < 0)
            throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be finite and non-negative, got {value}");
    }

    /// <summary>The checks every <see cref="IDistribution.Sample"/> makes on its arguments.</summary>
    public static void SampleArguments(int count, TorchSharp.torch.Generator generator)
    {
        Positive(count, nameof(count));
        ArgumentNullException.ThrowIfNull(generator);
    }
}
