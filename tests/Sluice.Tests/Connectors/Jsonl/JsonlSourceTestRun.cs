using Sluice.State;
using Apache.Arrow;
using Sluice.Connectors.Jsonl;
using Sluice.DeadLetters;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.Records;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Connectors.Jsonl;

/// <summary>One run of a JSONL source over files in a temp folder: its batches, dead letters and counters.</summary>
internal sealed class JsonlSourceTestRun
{
    private JsonlSourceTestRun(Schema schema, List<Batch> batches, IReadOnlyList<DeadLetter> deadLetters, StageCounters counters)
    {
        Schema = schema;
        Batches = batches;
        DeadLetters = deadLetters;
        Counters = counters;
    }

    public Schema Schema { get; }
    public List<Batch> Batches { get; }
    public IReadOnlyList<DeadLetter> DeadLetters { get; }
    public StageCounters Counters { get; }

    public IReadOnlyList<string> Columns => Schema.FieldsList.Select(f => f.Name).ToList();

    public int Rows => Batches.Sum(b => b.Length);

    public static async Task<JsonlSourceTestRun> ReadAsync(
        string directory, JsonlSourceOptions options, int batchSize = 4096, SourceReadHint? hint = null)
    {
        var source = options.CreateSource(new BuildContext(directory, "run") { BatchSize = batchSize, ReadHint = hint });
        var letters = new CollectingDeadLetters();
        var context = letters.Context("source", StageKind.Source);
        var batches = new List<Batch>();
        await foreach (var batch in source.ReadAsync(context, null, CancellationToken.None))
        {
            Assert.Equal(source.Schema, batch.Schema);
            batches.Add(batch);
        }
        return new JsonlSourceTestRun(source.Schema, batches, letters.Letters, context.Counters);
    }

    /// <summary>Every emitted row as column → text (null for null), in order.</summary>
    public List<Dictionary<string, string?>> Records()
    {
        var records = new List<Dictionary<string, string?>>();
        foreach (var batch in Batches)
        {
            for (int row = 0; row < batch.Length; row++)
            {
                var record = new Dictionary<string, string?>();
                for (int c = 0; c < batch.Schema.FieldsList.Count; c++)
                {
                    record[batch.Schema.FieldsList[c].Name] = ((StringArray)batch.Data.Column(c)).GetString(row);
                }
                records.Add(record);
            }
        }
        return records;
    }

    /// <summary>The source's books balance: every record read was emitted or dead-lettered.</summary>
    public void AssertBalanced()
    {
        Assert.Equal(Counters.In, Rows + DeadLetters.Count);
        Assert.Equal(DeadLetters.Count, Counters.DeadLettered);
    }
}
