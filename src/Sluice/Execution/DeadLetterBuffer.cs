using Sluice.DeadLetters;
using Sluice.State;

namespace Sluice.Execution;

/// <summary>
/// Collects the dead letters of one run and writes them to the state store from a background task, in chunks, so
/// that storing them (a SQLite insert each) runs beside the stages instead of inside them. Memory stays bounded:
/// once <see cref="MaxPending"/> letters wait, <see cref="FlushIfFullAsync"/> — which every stage worker calls after
/// each batch — waits for the writer, so a flood of bad records slows the pipeline rather than filling memory.
/// </summary>
internal sealed class DeadLetterBuffer : IDeadLetterWriter
{
    private const int ChunkSize = 1024;
    private const int MaxPending = 32 * ChunkSize;

    private readonly IStateStore _store;
    private readonly string _runId;
    private readonly string _pipeline;
    private readonly object _lock = new();
    private List<DeadLetter> _pending = [];
    private Task _writer = Task.CompletedTask; // guarded by _lock: at most one drain runs at a time

    public DeadLetterBuffer(IStateStore store, string runId, string pipeline)
    {
        _store = store;
        _runId = runId;
        _pipeline = pipeline;
    }

    public void Write(DeadLetter deadLetter)
    {
        lock (_lock)
        {
            _pending.Add(deadLetter);
            if (_pending.Count >= ChunkSize && _writer.IsCompleted && !_writer.IsFaulted)
            {
                _writer = Task.Run(DrainAsync);
            }
        }
    }

    /// <summary>Waits for the writer when too many letters are pending; surfaces a failure of the writer.</summary>
    public Task FlushIfFullAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_writer.IsFaulted || _pending.Count >= MaxPending)
            {
                return _writer.WaitAsync(cancellationToken);
            }
            return Task.CompletedTask;
        }
    }

    /// <summary>Writes every pending letter; call once the stages are done.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        Task writer;
        lock (_lock)
        {
            writer = _writer;
        }
        await writer.WaitAsync(cancellationToken);
        await DrainAsync();
    }

    private async Task DrainAsync()
    {
        while (true)
        {
            List<DeadLetter> chunk;
            lock (_lock)
            {
                if (_pending.Count == 0)
                {
                    return;
                }
                chunk = _pending;
                _pending = [];
            }
            await _store.AddDeadLettersAsync(_runId, _pipeline, chunk, CancellationToken.None);
        }
    }
}
