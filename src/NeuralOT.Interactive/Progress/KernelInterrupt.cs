using System.Collections;
using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;

namespace NeuralOT.Interactive.Progress;

/// <summary>
/// Turns the notebook's stop button into a cancellation of the running cell that keeps the kernel alive.
/// </summary>
/// <remarks>
/// <para>
/// Why: Jupyter (and VS Code's Jupyter front end) interrupts a kernel whose spec says <c>interrupt_mode: signal</c>
/// by sending it SIGINT. The .NET Interactive kernel runs inside a .NET generic host whose console lifetime stops the
/// whole application on SIGINT, so the stop button killed the kernel and every variable with it. With
/// <c>interrupt_mode: message</c> the kernel survives, but the released kernel (1.0.712001) does not cancel the
/// running submission, so training ignored the button.
/// </para>
/// <para>
/// What: the kernel spec keeps the signal (notebooks/setup-kernel.sh writes it), and once this extension is loaded
/// SIGINT sends the kernel's own <see cref="Cancel"/> command: the running cell's cancellation token fires (training
/// stops within one iteration and returns its result), the cell ends as cancelled, and the kernel goes on. The console
/// lifetime's SIGINT registration is disposed so that it no longer shuts the kernel down; it is found through the
/// runtime's signal table by reflection, because the host gives an extension no access to it. SIGTERM still stops the
/// kernel as before. Before the extension is loaded (the first <c>#r</c> cell) the stop button behaves as in the
/// stock kernel.
/// </para>
/// </remarks>
internal static class KernelInterrupt
{
    private static readonly Lock Gate = new();
    private static PosixSignalRegistration? registration;
    private static Kernel? root;

    /// <summary>What <see cref="Install"/> found, one line, for diagnostics; null before it ran.</summary>
    public static string? Outcome { get; private set; }

    /// <summary>Makes SIGINT cancel the running submission of <paramref name="kernel"/>'s root kernel (once per process;
    /// a later call moves it to the newer kernel).</summary>
    public static void Install(Kernel kernel)
    {
        if (OperatingSystem.IsWindows() || OperatingSystem.IsBrowser() || OperatingSystem.IsAndroid() || OperatingSystem.IsIOS() || OperatingSystem.IsTvOS())
        {
            Outcome = "no POSIX signals here: the front end's interrupt is left to the host";
            return;
        }
        lock (Gate)
        {
            root = kernel.RootKernel;
            if (registration is not null) return;
            var disposed = DisposeHostShutdownOnSigint();
            registration = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnInterrupt);
            Outcome = disposed > 0
                ? "SIGINT cancels the running cell (the host's shutdown on SIGINT was removed)"
                : "SIGINT cancels the running cell (no host shutdown on SIGINT was found)";
        }
    }

    private static void OnInterrupt(PosixSignalContext context)
    {
        // Keep the process: the default action of SIGINT ends it.
        context.Cancel = true;
        Kernel? kernel;
        lock (Gate) kernel = root;
        if (kernel is null) return;
        // The Cancel command is handled immediately, beside the running submission, and fires its cancellation token.
        _ = Task.Run(() => kernel.SendAsync(new Cancel()));
    }

    /// <summary>
    /// Disposes the SIGINT registrations of Microsoft.Extensions.Hosting's console lifetime (it stops the application
    /// on SIGINT). Returns how many were disposed; 0 when there is none or the runtime's layout is not the expected one
    /// (then the kernel still dies on SIGINT, and the CI interrupt check says so).
    /// </summary>
    private static int DisposeHostShutdownOnSigint()
    {
        try
        {
            const BindingFlags Private = BindingFlags.NonPublic | BindingFlags.Instance;
            var table = typeof(PosixSignalRegistration).GetField("s_registrations", BindingFlags.NonPublic | BindingFlags.Static)?.GetValue(null);
            if (table is not IDictionary bySignal) return 0;
            var lifetimes = new List<object>();
            // The runtime locks the table itself while it changes it.
            lock (table)
            foreach (DictionaryEntry entry in bySignal)
            {
                if (entry.Value is not IEnumerable tokens) continue;
                foreach (var token in tokens)
                {
                    var handler = token?.GetType().GetProperty("Handler", Private | BindingFlags.Public)?.GetValue(token) as Delegate;
                    if (handler?.Target is { } target && target.GetType().FullName == "Microsoft.Extensions.Hosting.Internal.ConsoleLifetime"
                        && !lifetimes.Contains(target))
                        lifetimes.Add(target);
                }
            }
            var disposed = 0;
            foreach (var lifetime in lifetimes)
            {
                if (lifetime.GetType().GetField("_sigIntRegistration", Private)?.GetValue(lifetime) is PosixSignalRegistration sigint)
                {
                    sigint.Dispose();
                    disposed++;
                }
            }
            return disposed;
        }
        catch (Exception e) when (e is TargetInvocationException or MemberAccessException or InvalidOperationException or NotSupportedException)
        {
            return 0;
        }
    }
}
