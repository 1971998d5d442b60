using System.Runtime.InteropServices;

namespace NeuralOT.Cli;

/// <summary>
/// Turns SIGINT (Ctrl+C) and SIGTERM into a cancellation token. The first signal cancels: the command stops at its
/// next check and writes what it must (a cancelled run its checkpoint). Later signals are acknowledged and ignored, so
/// an impatient second Ctrl+C can never kill the process while that checkpoint is being written (kill -9 still can;
/// the checkpoint write is atomic, so that leaves the previous one).
/// </summary>
internal sealed class TerminationSignals : IDisposable
{
    private readonly CancellationTokenSource source = new();
    private readonly PosixSignalRegistration[] registrations;
    private readonly TextWriter error;
    private int received;
    private PosixSignal? first;

    public TerminationSignals(TextWriter error)
    {
        this.error = error;
        registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle),
        ];
    }

    /// <summary>Cancelled by the first signal.</summary>
    public CancellationToken Token => source.Token;

    /// <summary>The exit code a command that stopped on a signal reports: 128 plus the signal's number, as a shell
    /// reports a process that the signal ended (130 for SIGINT, 143 for SIGTERM), so that a supervisor sees which
    /// signal stopped the run. Other codes are returned unchanged.</summary>
    /// <param name="code">The command's exit code; <paramref name="cancelledCode"/> when it stopped on the token.</param>
    /// <param name="cancelledCode">The code commands return when cancelled.</param>
    public int ExitCode(int code, int cancelledCode) =>
        code == cancelledCode && first == PosixSignal.SIGTERM ? 128 + 15 : code;

    private void Handle(PosixSignalContext context)
    {
        // Keep the process alive: the command ends itself once it has saved its state.
        context.Cancel = true;
        if (Interlocked.Increment(ref received) == 1)
        {
            first = context.Signal;
            // Callbacks run on the thread pool, so nothing they do can throw into the signal handler.
            _ = source.CancelAsync();
            return;
        }
        error.WriteLine("stopping: the run folder is being saved; wait a moment (kill -9 would stop without saving)");
    }

    public void Dispose()
    {
        foreach (var registration in registrations) registration.Dispose();
        source.Dispose();
    }
}
