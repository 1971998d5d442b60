using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace NeuralOT.Tests.Cli;

/// <summary>
/// The built <c>neuralot</c> executable as a child process, for what an in-process run cannot show: signals, two
/// processes sharing a folder. Output is collected as it comes so a test can wait for a line.
/// </summary>
internal sealed class ChildCli : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new(), error = new();
    private readonly object gate = new();

    static ChildCli() => StopIgnoringInterrupts();

    public ChildCli(params string[] args)
    {
        // The test project references NeuralOT.Cli, so its apphost and dll sit beside the tests.
        var dll = Path.Combine(AppContext.BaseDirectory, "NeuralOT.Cli.dll");
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (gate) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (gate) error.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Id => process.Id;

    public string Output { get { lock (gate) return output.ToString(); } }

    public string Error { get { lock (gate) return error.ToString(); } }

    /// <summary>Waits until stdout contains <paramref name="text"/>; false if the process ended or time ran out first.</summary>
    public bool WaitForOutput(string text, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            if (Output.Contains(text, StringComparison.Ordinal)) return true;
            if (process.HasExited) return Output.Contains(text, StringComparison.Ordinal);
            Thread.Sleep(50);
        }
        return false;
    }

    /// <summary>Sends SIGINT, as Ctrl+C in a terminal does.</summary>
    public void Interrupt()
    {
        if (Kill(process.Id, SigInt) != 0) throw new InvalidOperationException($"kill(SIGINT) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>Sends SIGTERM, as a process supervisor (systemd, docker stop, a batch scheduler) does.</summary>
    public void Terminate()
    {
        if (Kill(process.Id, SigTerm) != 0) throw new InvalidOperationException($"kill(SIGTERM) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>Waits for the exit and returns the exit code (the process is killed and the test fails on timeout).</summary>
    public int WaitForExit(TimeSpan timeout)
    {
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"neuralot did not exit within {timeout.TotalSeconds} s. stdout: {Output} stderr: {Error}");
        }
        process.WaitForExit(); // drains the output readers
        return process.ExitCode;
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            // Kill only sends SIGKILL: wait until the process is gone, so what it held (a run folder's lock) is free.
            process.WaitForExit();
        }
        process.Dispose();
    }

    private const int SigInt = 2;
    private const int SigTerm = 15;

    /// <summary>
    /// A test run started as a background job of a non-interactive shell (a CI script's <c>&amp;</c>) has SIGINT
    /// ignored, as POSIX asks of such jobs; children inherit that, and .NET then installs no handler, so a child would
    /// never see the Ctrl+C the signal tests send. Restores the default disposition (only when the signal is ignored,
    /// so a handler the runtime installed is left alone) for this process and so for every child it starts.
    /// </summary>
    private static void StopIgnoringInterrupts()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        // struct sigaction begins with the handler on Linux and macOS; the buffer is larger than the whole struct.
        var current = Marshal.AllocHGlobal(512);
        try
        {
            if (SigAction(SigInt, IntPtr.Zero, current) == 0 && Marshal.ReadIntPtr(current) == SigIgnore)
                Signal(SigInt, SigDefault);
        }
        finally
        {
            Marshal.FreeHGlobal(current);
        }
    }

    private static readonly IntPtr SigDefault = IntPtr.Zero, SigIgnore = new(1);

    [DllImport("libc", EntryPoint = "sigaction", SetLastError = true)]
    private static extern int SigAction(int signal, IntPtr action, IntPtr previous);

    [DllImport("libc", EntryPoint = "signal", SetLastError = true)]
    private static extern IntPtr Signal(int signal, IntPtr handler);

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
