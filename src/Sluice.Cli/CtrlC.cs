namespace Sluice.Cli;

/// <summary>
/// Ctrl-C handling for the real process: the first press cancels <see cref="Token"/> so a run can stop cleanly
/// (abort unpublished output, record the run as cancelled); a second press ends the process at once.
/// </summary>
internal sealed class CtrlC : IDisposable
{
    private readonly CancellationTokenSource _source = new();

    public CtrlC() => Console.CancelKeyPress += OnCancelKeyPress;

    public CancellationToken Token => _source.Token;

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        if (_source.IsCancellationRequested)
            return; // e.Cancel stays false: the runtime terminates the process.
        e.Cancel = true;
        Console.Error.WriteLine("cancelling… (press Ctrl-C again to exit now)");
        _source.Cancel();
    }

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKeyPress;
        _source.Dispose();
    }
}
