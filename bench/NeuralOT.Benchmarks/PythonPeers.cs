using System.Diagnostics;
using System.Text.Json;

namespace NeuralOT.Benchmarks;

/// <summary>What the benchmarks share when they time a Python peer (POT, PyTorch) beside NeuralOT.</summary>
internal static class PythonPeers
{
    /// <summary>Runs <paramref name="python"/> with the arguments and returns the JSON object it prints.</summary>
    /// <param name="python">The interpreter (Debian's /usr/bin/python3 by default).</param>
    /// <param name="arguments">The script and its arguments.</param>
    /// <param name="environment">Variables to set for the child (threads, library path), or null.</param>
    /// <param name="failure">Says what failed and what may be missing, for the error message.</param>
    public static JsonElement RunJson(string python, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment, string failure)
    {
        var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {python}.");
        // Both streams are read at once: a child that fills one pipe while we wait on the other would hang.
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{failure}: {errors.Result.Trim()}");
        return JsonDocument.Parse(output.Trim()).RootElement.Clone();
    }

    /// <summary>The 1-, 5- and 15-minute load averages (Linux), printed beside timings: other processes share the cores.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}
