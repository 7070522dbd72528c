using Apache.Arrow;
using Sluice.DeadLetters;
using Sluice.Execution;
using Sluice.Records;

namespace Sluice.Connectors.Jsonl;

/// <summary>Parses dead letters' original bytes (one JSON object each) the way the <c>jsonl</c> and <c>http</c>
/// sources parse a line or an item, for <see cref="IReplayableSource.Parse"/>.</summary>
internal static class JsonRecordsReplay
{
    public static Batch Parse(JsonlSourceColumns columns, Schema schema, IOriginalRows records, StageContext context)
    {
        var parser = new JsonlRecordReader(columns);
        var builders = Enumerable.Range(0, columns.Count).Select(_ => new StringColumnBuilder(Math.Max(1, records.Count))).ToArray();
        var origins = new RowOrigins(records);
        var kept = new List<int>(records.Count);
        for (int i = 0; i < records.Count; i++)
        {
            var origin = origins[i];
            if (parser.Parse(origin.Original.Span) is { } error)
            {
                context.DeadLetter(origin, DeadLetterReason.Parse, error.Field, error.Rule, error.Message);
            }
            else
            {
                parser.AppendTo(builders, origin.Original.Span);
                kept.Add(i);
            }
        }
        var data = new RecordBatch(schema, builders.Select(b => (IArrowArray)b.Build()), kept.Count);
        return new Batch(data, origins.Select(kept.ToArray()));
    }
}
