using NeuralOT.Networks;

namespace NeuralOT.Solvers;

/// <summary>The checks that several options types share (both solvers' networks, threads and device), each throwing an
/// <see cref="InvalidOptionException"/> that names the option by its property.</summary>
internal static class OptionChecks
{
    /// <summary>A network shape: width and depth at least 1, a known activation.</summary>
    public static void Network(string owner, string property, NetworkOptions network)
    {
        if (network.Width < 1) throw new InvalidOptionException(owner, $"{property}.{nameof(NetworkOptions.Width)}", network.Width, "it must be at least 1");
        if (network.Depth < 1) throw new InvalidOptionException(owner, $"{property}.{nameof(NetworkOptions.Depth)}", network.Depth, "it must be at least 1");
        if (!Enum.IsDefined(network.Activation))
            throw new InvalidOptionException(owner, $"{property}.{nameof(NetworkOptions.Activation)}", network.Activation, "it is not a known activation");
    }

    /// <summary>A positive finite number (a learning rate).</summary>
    public static void Positive(string owner, string property, double value)
    {
        if (!(value > 0 && double.IsFinite(value))) throw new InvalidOptionException(owner, property, value, "it must be a positive number");
    }

    /// <summary>At least one thread, and no more than the machine accepts.</summary>
    public static void Threads(string owner, string property, int threads)
    {
        if (threads < 1) throw new InvalidOptionException(owner, property, threads, "it must be at least 1");
        if (threads > IO.MachineLimits.MaxThreads)
            throw new InvalidOptionException(owner, property, threads,
                $"this machine has {Environment.ProcessorCount} cores, so at most {IO.MachineLimits.MaxThreads} threads ({IO.MachineLimits.ThreadsPerCore} per core) are accepted; 1 is usually fastest");
    }

    /// <summary>cpu or cuda.</summary>
    public static void Device(string owner, string property, string device)
    {
        if (device is not ("cpu" or "cuda")) throw new InvalidOptionException(owner, property, device, "use cpu or cuda");
    }

    /// <summary>A batch whose activations fit in memory for <paramref name="dimension"/>-dimensional samples through
    /// networks with <paramref name="hiddenUnits"/> hidden units in all (<see cref="IO.MachineLimits.BatchProblem"/>).</summary>
    public static void Batch(string owner, string property, int batchSize, int dimension, long hiddenUnits, int defaultValue)
    {
        if (IO.MachineLimits.BatchProblem(batchSize, dimension, hiddenUnits, defaultValue) is { } problem)
            throw new InvalidOptionException(owner, property, batchSize, problem);
    }
}
