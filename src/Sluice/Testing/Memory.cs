namespace Sluice.Testing;

/// <summary>In-memory sources and sinks for testing typed pipelines (see <see cref="PipelineTest"/>).</summary>
public static class Memory
{
    /// <summary>A source that emits <paramref name="records"/> in order, in batches of <paramref name="batchSize"/>.
    /// A record's original bytes (kept with its dead letter) are its JSON; its line is its 1-based index.</summary>
    public static RecordSource<T> Records<T>(IEnumerable<T> records, int batchSize = 1000) =>
        new(new MemoryRecordsOptions<T>([.. records], batchSize));

    /// <summary>A sink that keeps the records it receives, published (in <see cref="CollectedRecords{T}.Items"/>)
    /// when a checkpoint commits, as a file sink publishes its files.</summary>
    public static CollectedRecords<T> Collect<T>() => new();
}
