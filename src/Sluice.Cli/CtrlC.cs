using System.Runtime.InteropServices;

namespace Sluice.Cli;

/// <summary>
/// Ctrl-C and SIGTERM handling for the real process: the first signal cancels <see cref="Token"/>, which a run takes
/// as "stop gracefully" (no new input, drain, final checkpoint; exit code 130) and other commands as "cancel"; a
/// second one ends the process at once (a run is then resumed from its last checkpoint by the next one).
/// </summary>
internal sealed class CtrlC : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly PosixSignalRegistration _terminate;

    public CtrlC()
    {
        Console.CancelKeyPress += OnCancelKeyPress;
        // A service manager (systemd, Kubernetes) asks a process to stop with SIGTERM: the same graceful stop.
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => context.Cancel = FirstSignal("SIGTERM"));
    }

    public CancellationToken Token => _source.Token;

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e) => e.Cancel = FirstSignal("Ctrl-C");

    /// <summary>True (keep the process) for the first signal, false (let the runtime end it) for any later one.</summary>
    private bool FirstSignal(string name)
    {
        if (_source.IsCancellationRequested)
            return false;
        Console.Error.WriteLine($"{name}: stopping… ({name} again to exit at once)");
        _source.Cancel();
        return true;
    }

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKeyPress;
        _terminate.Dispose();
        _source.Dispose();
    }
}
