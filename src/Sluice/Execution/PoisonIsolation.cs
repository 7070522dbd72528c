using Sluice.State;
using Sluice.DeadLetters;
using Sluice.Pipelines;
using Sluice.Records;

namespace Sluice.Execution;

/// <summary>
/// Applies a transform so that a record which makes it throw (a poison record: a bug or an input it cannot handle,
/// not a transient fault, see <see cref="RetryOn.Default"/>: those go to the stage's retries) costs only itself. A batch whose transform throws is split in halves and each half applied
/// again, down to single records; a record that still throws after <see cref="Attempts"/> tries is dead-lettered
/// with reason <c>transform</c> and the error, and the batch's other records go on.
/// </summary>
/// <remarks>
/// Every attempt writes its dead letters and filtered counts into a scratch context that is kept only when the
/// attempt succeeds, and a whole call keeps them only when it ends, so nothing is counted twice when an attempt or
/// the call fails half way. A stateful transform (e.g.
/// <c>dedupe</c>) may have changed its state before throwing, so it is not retried: its exception fails the run.
/// One instance per transform stage, used by that stage's worker only.
/// </remarks>
internal sealed class PoisonIsolation
{
    /// <summary>Tries of one record before it is dead-lettered.</summary>
    internal const int Attempts = 3;

    private readonly ITransform _transform;
    private readonly StageContext _context;
    private readonly StageCounters _scratchCounters;
    private readonly ScratchLetters _scratchLetters = new();
    private readonly StageContext _scratch;
    private readonly List<DeadLetter> _pendingLetters = [];
    private long _pendingFiltered;

    public PoisonIsolation(ITransform transform, StageContext context)
    {
        _transform = transform;
        _context = context;
        _scratchCounters = new StageCounters(context.Stage, context.Counters.Kind);
        _scratch = new StageContext(context.Stage, _scratchCounters, _scratchLetters) { ResilienceCounters = context.Counters };
    }

    /// <summary>Applies the transform to <paramref name="input"/>, replacing <paramref name="outputs"/> with what it
    /// emits, in input order. All or nothing: when a transient error escapes (to be retried by the stage's resilience
    /// policy), no dead letter or count of this call is kept.</summary>
    public void Apply(Batch input, List<Batch> outputs)
    {
        outputs.Clear();
        if (_transform is IStatefulTransform)
        {
            Add(outputs, _transform.Apply(input, _context));
            return;
        }
        _pendingLetters.Clear();
        _pendingFiltered = 0;
        ApplyPart(input, outputs);
        foreach (var letter in _pendingLetters)
        {
            _context.DeadLetter(letter);
        }
        _context.RecordsFiltered(_pendingFiltered);
    }

    private void ApplyPart(Batch part, List<Batch> outputs)
    {
        Exception? failure = null;
        for (int attempt = 1; attempt <= (part.Length == 1 ? Attempts : 1); attempt++)
        {
            if (TryApply(part, outputs, out failure))
            {
                return;
            }
        }
        if (part.Length == 1)
        {
            string message = $"{failure!.GetType().Name}: {failure.Message}".ReplaceLineEndings(" ");
            _pendingLetters.Add(new DeadLetter(_context.Stage, part.Origins[0], DeadLetterReason.Transform, null, "exception",
                $"the transform threw on this record {Attempts} times: {message}"));
            return;
        }
        int half = part.Length / 2;
        ApplyPart(Rows(part, 0, half), outputs);
        ApplyPart(Rows(part, half, part.Length - half), outputs);
    }

    private bool TryApply(Batch part, List<Batch> outputs, out Exception? failure)
    {
        _scratchCounters.Reset();
        _scratchLetters.Clear();
        try
        {
            var output = _transform.Apply(part, _scratch);
            failure = null;
            _pendingLetters.AddRange(_scratchLetters.Letters);
            _pendingFiltered += _scratchCounters.Filtered;
            Add(outputs, output);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException && !RetryOn.Default.Matches(e))
        {
            failure = e;
            return false;
        }
    }

    private static void Add(List<Batch> outputs, Batch? output)
    {
        if (output is { Length: > 0 })
        {
            outputs.Add(output);
        }
    }

    private static Batch Rows(Batch batch, int start, int count)
    {
        int[] rows = new int[count];
        for (int i = 0; i < count; i++)
        {
            rows[i] = start + i;
        }
        return ArrayTake.Take(batch, rows);
    }

    private sealed class ScratchLetters : IDeadLetterWriter
    {
        public List<DeadLetter> Letters { get; } = [];

        public void Write(DeadLetter deadLetter) => Letters.Add(deadLetter);

        public void Clear() => Letters.Clear();
    }
}
