using Sluice.DeadLetters;
using Sluice.State;

namespace Sluice.Execution;

/// <summary>
/// Collects the dead letters of one run and writes them to the state store in chunks. Stages add letters
/// synchronously while they work on a batch; after each batch their worker calls <see cref="FlushIfFullAsync"/>,
/// so a stage producing dead letters faster than the store takes them slows down instead of filling memory.
/// </summary>
internal sealed class DeadLetterBuffer : IDeadLetterWriter
{
    private const int ChunkSize = 1024;

    private readonly IStateStore _store;
    private readonly string _runId;
    private readonly string _pipeline;
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly object _lock = new();
    private List<DeadLetter> _pending = [];

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
        }
    }

    public Task FlushIfFullAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_pending.Count < ChunkSize)
            {
                return Task.CompletedTask;
            }
        }
        return FlushAsync(cancellationToken);
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        // One writer at a time keeps dead letters in the order stages produced them.
        await _writing.WaitAsync(cancellationToken);
        try
        {
            List<DeadLetter> chunk;
            lock (_lock)
            {
                chunk = _pending;
                _pending = [];
            }
            if (chunk.Count > 0)
            {
                await _store.AddDeadLettersAsync(_runId, _pipeline, chunk, cancellationToken);
            }
        }
        finally
        {
            _writing.Release();
        }
    }
}
