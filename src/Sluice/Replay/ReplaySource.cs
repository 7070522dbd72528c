using System.Runtime.CompilerServices;
using Apache.Arrow;
using Sluice.DeadLetters;
using Sluice.Execution;
using Sluice.Records;
using Sluice.State;

namespace Sluice.Replay;

/// <summary>
/// Stands in for a source during a replay: reads the dead letters selected for it from the state store, in the
/// order they were stored, and has the source itself parse their original bytes, so each record comes out as the
/// source would read it today. Emits one batch per run of letters from the same file (a batch has one origin
/// file). Every letter it reads is handed to the next checkpoint, which deletes it; the ones that fail again (here
/// or downstream) are stored by that checkpoint as new letters with one attempt more. A letter that stands for a
/// whole file (<see cref="FileLetters"/>) is not parsed: its bytes are only the file's first bytes, not records; it
/// fails again at once with a message saying so.
/// </summary>
/// <remarks>Replay runs are not resumed (a crashed one is closed by the next run or replay, and its letters not yet
/// deleted are replayed again), so the position is only the last letter's id, for the record.</remarks>
internal sealed class ReplaySource(IReplayableSource source, IStateStore store, DeadLetterQuery selection, IReadOnlySet<long> ids,
    int pageSize) : ISource
{
    public Schema Schema => source.Schema;

    /// <summary>The source whose records this replays: lineage names its dataset.</summary>
    public IReplayableSource Replayed => source;

    public async IAsyncEnumerable<Batch> ReadAsync(StageContext context, SourcePosition? resumeAfter,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (resumeAfter is not null)
        {
            throw new InvalidOperationException("a replay run is never resumed");
        }
        var query = selection with { OldestFirst = true, Limit = pageSize };
        while (await store.ListDeadLettersAsync(query, cancellationToken) is { Count: > 0 } page)
        {
            query = query with { AfterId = page[^1].Id };
            var mine = page.Where(l => ids.Contains(l.Id)).ToList();
            for (int start = 0; start < mine.Count;)
            {
                int end = start + 1;
                while (end < mine.Count && mine[end].Input == mine[start].Input)
                {
                    end++;
                }
                var letters = mine[start..end];
                foreach (var letter in letters)
                {
                    context.DeadLetterReplayed(letter.Id);
                }
                context.RecordsRead(letters.Count);
                foreach (var letter in letters.Where(l => FileLetters.IsFileLetter(l.Rule)))
                {
                    string message = letter.Message.StartsWith(FileLetters.NotReplayed, StringComparison.Ordinal)
                        ? letter.Message
                        : FileLetters.NotReplayed + letter.Message;
                    context.DeadLetter(new RowOrigin(letter.Input, letter.Position, letter.Original, letter.Attempts),
                        letter.Reason, letter.Field, letter.Rule, message);
                }
                // Never resumed (above): the position only has to cover the letters read, so the last one's id will do.
                var position = new SourcePosition(letters[^1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
                var records = letters.Where(l => !FileLetters.IsFileLetter(l.Rule)).ToList();
                start = end;
                if (records.Count == 0)
                {
                    yield return Batch.Empty(source.Schema, position);
                    continue;
                }
                var parsed = source.Parse(new ReplayedRows(records), context);
                yield return new Batch(parsed.Data, parsed.Origins, position);
            }
        }
    }
}
