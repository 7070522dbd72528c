using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using Sluice.Records;

namespace Sluice.Bench.Micro;

/// <summary>
/// The floor under <see cref="Graph.SourceSink"/>: the same batches through one bounded channel configured as the
/// runner's (capacity 4, one reader, one writer, wait when full) between two thread-pool workers, and nothing
/// else. The engine's per-batch cost above this is its bookkeeping (counters, timestamps, dead-letter checks,
/// the input-port lookup).
/// </summary>
[MemoryDiagnoser]
public class ChannelFloorBenchmarks
{
    private Batch _batch = null!;

    [Params(1024, 4096)]
    public int BatchSize { get; set; }

    [Params(0, EngineBenchmarks.LargeRun)]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup() => _batch = PrebuiltSource.Build(BatchSize);

    [Benchmark]
    public async Task<long> OneHop()
    {
        var channel = Channel.CreateBounded<Batch>(new BoundedChannelOptions(4)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        int batches = Rows / BatchSize;
        var producer = Task.Run(async () =>
        {
            for (int i = 0; i < batches; i++)
            {
                await channel.Writer.WriteAsync(_batch);
            }
            channel.Writer.Complete();
        });
        var consumer = Task.Run(async () =>
        {
            long rows = 0;
            while (await channel.Reader.WaitToReadAsync())
            {
                while (channel.Reader.TryRead(out var batch))
                {
                    rows += batch.Length;
                }
            }
            return rows;
        });
        await producer;
        return await consumer;
    }
}
