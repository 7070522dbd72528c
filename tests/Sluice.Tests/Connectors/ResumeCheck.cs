using Sluice.Connectors.Files;
using Sluice.State;
using Apache.Arrow;
using Sluice.DeadLetters;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.Records;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Connectors;

/// <summary>
/// The resume contract of a source, checked the only way that proves it: read everything once, then resume after
/// every position the source reported and require exactly the tail of the first read — the same rows (values and
/// origins), the same dead letters, and records counted only after the position.
/// </summary>
internal static class ResumeCheck
{
    /// <summary>One read: its batches and, at each batch, how many records had been read and dead-lettered.</summary>
    internal sealed record Read(List<Batch> Batches, List<long> ReadAt, List<int> DeadLettersAt,
        IReadOnlyList<DeadLetter> DeadLetters, long RecordsRead);

    /// <summary>The file position a file source's batch carries.</summary>
    public static FilePosition FileAt(this Batch batch) => FilePosition.From(batch.Position)!;

    public static async Task<Read> ReadAsync(ISource source, SourcePosition? resumeAfter)
    {
        var letters = new CollectingDeadLetters();
        var context = letters.Context("source", StageKind.Source);
        var batches = new List<Batch>();
        var readAt = new List<long>();
        var deadLettersAt = new List<int>();
        await foreach (var batch in source.ReadAsync(context, resumeAfter, CancellationToken.None))
        {
            Assert.Equal(source.Schema, batch.Schema);
            Assert.NotNull(batch.Position);
            batches.Add(batch);
            readAt.Add(context.Counters.In);
            deadLettersAt.Add(letters.Letters.Count);
        }
        return new Read(batches, readAt, deadLettersAt, letters.Letters, context.Counters.In);
    }

    /// <summary>Reads everything, then resumes after each position; returns the full read.</summary>
    public static async Task<Read> EveryPositionGivesTheTail(ISource source)
    {
        var full = await ReadAsync(source, null);
        Assert.Equal(full.RecordsRead, full.Batches.Sum(b => b.Length) + full.DeadLetters.Count);
        if (full.Batches.Count > 0)
        {
            // Positions cover everything: nothing is read after the last one.
            Assert.Equal(full.RecordsRead, full.ReadAt[^1]);
            Assert.Equal(full.DeadLetters.Count, full.DeadLettersAt[^1]);
        }
        for (int k = 0; k < full.Batches.Count; k++)
        {
            var position = full.Batches[k].FileAt();
            Assert.True(Path.IsPathFullyQualified(position.File), position.File);
            if (k > 0)
            {
                var before = full.Batches[k - 1].FileAt();
                int order = string.CompareOrdinal(before.File, position.File);
                Assert.True(order < 0 || (order == 0 && before.Offset < position.Offset && before.Line <= position.Line),
                    $"position {k} ({position}) is not after position {k - 1} ({before})");
            }

            var resumed = await ReadAsync(source, full.Batches[k].Position);

            Assert.Equal(Rows(full.Batches.Skip(k + 1)), Rows(resumed.Batches));
            Assert.Equal(full.DeadLetters.Skip(full.DeadLettersAt[k]).Select(Describe), resumed.DeadLetters.Select(Describe));
            Assert.Equal(full.RecordsRead - full.ReadAt[k], resumed.RecordsRead);
            // Batch boundaries may differ (a Parquet reader cuts batches at row groups when it starts in one):
            // what must match is the rows, their origins, the dead letters and where reading ends.
            Assert.Equal(full.Batches[^1].Position, resumed.Batches.Count > 0 ? resumed.Batches[^1].Position : full.Batches[k].Position);
        }
        return full;
    }

    /// <summary>Every row as text: its values and its origin (file, line, offset, original bytes).</summary>
    public static List<string> Rows(IEnumerable<Batch> batches) =>
        batches.SelectMany(b => Enumerable.Range(0, b.Length).Select(r =>
            string.Join(" | ", b.Data.Arrays.Select(a => Value(a, r))) + " @ " + Describe(b.Origins[r]))).ToList();

    private static string Describe(DeadLetter letter) => $"{letter.Rule} {letter.Field} {Describe(letter.Origin)}";

    private static string Describe(RowOrigin origin) =>
        $"{origin.Input}:{origin.Position} {Convert.ToHexString(origin.Original.Span)}";

    private static string Value(IArrowArray array, int row) => array.IsNull(row) ? "null" : array switch
    {
        StringArray a => "'" + a.GetString(row) + "'",
        Int64Array a => a.GetValue(row)!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => throw new NotSupportedException(array.Data.DataType.Name),
    };
}
