namespace Sluice.Cli;

/// <summary>
/// What Ctrl-C or SIGTERM means to a command that writes (run, dlq replay): stop reading, drain what was read into a
/// final checkpoint, and abort at once (<see cref="Abort"/>) if draining takes longer than <see cref="Deadline"/>.
/// What was not checkpointed then is redone by the next run, or stays in the dead-letter queue.
/// </summary>
internal sealed class GracefulStop : IDisposable
{
    /// <summary>Long enough for the channels' few batches and a checkpoint on a loaded machine.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly CancellationTokenSource _abort = new();
    private CancellationTokenRegistration _onSignal;

    /// <summary>Cancelled when draining overran the deadline: give it to the work as its cancellation token.</summary>
    public CancellationToken Abort => _abort.Token;

    /// <summary>From now on, a signal on <paramref name="signal"/> says so and calls <paramref name="stopReading"/>
    /// (instead of what an earlier call named: a resumed run replaces the one that failed).</summary>
    public void Watch(CliContext context, CancellationToken signal, string what, Action? stopReading = null)
    {
        _onSignal.Dispose();
        _onSignal = signal.Register(() =>
        {
            context.Stderr.WriteLine($"stopping: {what}; draining what was read into a final checkpoint (at most {Deadline.TotalSeconds:0} s)");
            stopReading?.Invoke();
            _abort.CancelAfter(Deadline);
        });
    }

    public void Dispose()
    {
        _onSignal.Dispose();
        _abort.Dispose();
    }
}
