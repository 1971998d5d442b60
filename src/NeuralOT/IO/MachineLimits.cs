using System.Globalization;

namespace NeuralOT.IO;

/// <summary>
/// What this machine can give a request, checked before allocating, so that an absurd size ends in one line that
/// says how much it would need instead of an overflow, an OOM kill or minutes of swapping.
/// </summary>
public static class MachineLimits
{
    /// <summary>The memory this process may use: the machine's, or its container's limit (the GC's view).</summary>
    public static long AvailableMemoryBytes => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>The share of <see cref="AvailableMemoryBytes"/> one array may take: the rest is for the runtime,
    /// TorchSharp and whatever else the request allocates beside it.</summary>
    public const double SingleAllocationShare = 0.5;

    /// <summary>Refuses an array of <paramref name="elements"/> values of <paramref name="elementBytes"/> bytes each
    /// when .NET cannot hold it or it would take more than <see cref="SingleAllocationShare"/> of the memory.</summary>
    /// <param name="elements">How many elements (computed in 64 bits or as a double by the caller, so it never overflows).</param>
    /// <param name="elementBytes">Bytes per element.</param>
    /// <param name="what">What would be allocated and how its size comes about, e.g. "the dense 50000 x 50000 cost
    /// matrix (8 n m bytes)".</param>
    /// <param name="parameter">The parameter to name in the exception.</param>
    /// <param name="fix">What to do instead.</param>
    /// <exception cref="ArgumentException">The request does not fit; the message gives the bytes it needs.</exception>
    public static void CheckArray(double elements, int elementBytes, string what, string parameter, string fix)
    {
        var bytes = elements * elementBytes;
        var available = AvailableMemoryBytes;
        if (elements > Array.MaxLength)
            throw new ArgumentException($"{what} needs {Bytes(bytes)}, and {elements.ToString("N0", CultureInfo.InvariantCulture)} entries are more than one .NET array holds ({Array.MaxLength.ToString("N0", CultureInfo.InvariantCulture)}); {fix}", parameter);
        if (bytes > SingleAllocationShare * available)
            throw new ArgumentException($"{what} needs {Bytes(bytes)}, more than half of the {Bytes(available)} this process may use; {fix}", parameter);
    }

    /// <summary>Threads per core accepted for TorchSharp: more only adds contention (one is usually fastest for the
    /// small networks here), and a typo such as 10^6 would spawn thousands of threads.</summary>
    public const int ThreadsPerCore = 4;

    /// <summary>The largest accepted thread count on this machine: <see cref="ThreadsPerCore"/> per core.</summary>
    public static int MaxThreads => ThreadsPerCore * Environment.ProcessorCount;

    /// <summary>
    /// A lower bound on the bytes one training batch takes: each sample's coordinates and every hidden unit of the
    /// networks it passes through, as float32, kept for the backward pass and its gradients, and again for the
    /// double backward of the critic (a factor of 8 in all).
    /// </summary>
    /// <param name="batchSize">Samples per batch.</param>
    /// <param name="dimension">The samples' dimension.</param>
    /// <param name="hiddenUnits">Hidden units summed over the networks a sample passes through.</param>
    public static double BatchBytes(double batchSize, int dimension, long hiddenUnits) => batchSize * (dimension + hiddenUnits) * sizeof(float) * 8;

    /// <summary>Why a batch does not fit, or null when it does: its <see cref="BatchBytes"/> must stay within
    /// <see cref="SingleAllocationShare"/> of the memory. The reason is a clause for a message about the option
    /// ("it needs at least 4 TB for one batch ...; use at most 5000 (512 is the default)").</summary>
    /// <param name="batchSize">Samples per batch.</param>
    /// <param name="dimension">The samples' dimension.</param>
    /// <param name="hiddenUnits">Hidden units summed over the networks a sample passes through.</param>
    /// <param name="defaultValue">The option's default, for the message.</param>
    public static string? BatchProblem(int batchSize, int dimension, long hiddenUnits, int defaultValue)
    {
        var bytes = BatchBytes(batchSize, dimension, hiddenUnits);
        var limit = SingleAllocationShare * AvailableMemoryBytes;
        if (bytes <= limit) return null;
        var largest = (long)(limit / BatchBytes(1, dimension, hiddenUnits));
        return FormattableString.Invariant(
            $"it needs at least {Bytes(bytes)} for one batch (batch x (d + hidden units) x 32 bytes), more than half of the {Bytes(AvailableMemoryBytes)} this process may use; use at most {largest} ({defaultValue} is the default)");
    }

    /// <summary>A byte count for messages: "17.2 GB".</summary>
    public static string Bytes(double bytes) => bytes switch
    {
        >= 1e12 => (bytes / 1e12).ToString("0.#", CultureInfo.InvariantCulture) + " TB",
        >= 1e9 => (bytes / 1e9).ToString("0.#", CultureInfo.InvariantCulture) + " GB",
        >= 1e6 => (bytes / 1e6).ToString("0.#", CultureInfo.InvariantCulture) + " MB",
        >= 1e3 => (bytes / 1e3).ToString("0.#", CultureInfo.InvariantCulture) + " kB",
        _ => bytes.ToString("0", CultureInfo.InvariantCulture) + " bytes",
    };
}
