using BenchmarkDotNet.Attributes;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.State;
using Sluice.State.Sqlite;

namespace Sluice.Bench.Micro;

/// <summary>
/// The engine's own cost: whole runs through <see cref="PipelineRunner.RunAsync"/> with a source that re-emits one
/// prebuilt batch and sinks that drop what they get, so the time is spent in the runner (channels, workers,
/// counters, timestamps, dead-letter checks) and in the state store's run record. A run of 0 rows measures the
/// fixed cost (building the graph twice, starting and finishing the run in SQLite); <see cref="PerRecordColumn"/>
/// subtracts it from the same graph's big run.
/// </summary>
[MemoryDiagnoser]
public class EngineBenchmarks
{
    /// <summary>2^25 rows: a multiple of both batch sizes, so every batch is full, and big enough that the run
    /// takes tens of milliseconds: at 2M rows the whole run lasted about as long as its fixed cost, and the
    /// per-record figure drowned in the fixed cost's noise.</summary>
    public const int LargeRun = 1 << 25;

    private string _folder = "";
    private SqliteStateStore _store = null!;
    private PipelineRunner _runner = null!;
    private PipelineDefinition _pipeline = null!;

    [Params(Graph.SourceSink, Graph.ThreeTransforms, Graph.FanOut)]
    public Graph Graph { get; set; }

    [Params(1024, 4096)]
    public int BatchSize { get; set; }

    [Params(0, LargeRun)]
    public int Rows { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        // A real run pays for its run record in SQLite, so the benchmark does too; the file lives in a temp folder.
        _folder = Path.Combine(Path.GetTempPath(), $"sluice-micro-{Guid.NewGuid():N}");
        _store = await SqliteStateStore.OpenAsync(Path.Combine(_folder, "state.db"));
        _runner = new PipelineRunner(_store, new RunnerOptions { BatchSize = BatchSize });
        var source = new PrebuiltSourceOptions(PrebuiltSource.Build(BatchSize), Rows / BatchSize);
        _pipeline = Graph.Pipeline(source);
    }

    [Benchmark]
    public async Task<long> Run()
    {
        var outcome = await _runner.RunAsync(_pipeline);
        if (outcome.Run.State != RunState.Succeeded || outcome.Run.RecordsRead != Rows)
        {
            throw new InvalidOperationException($"run ended {outcome.Run.State} after {outcome.Run.RecordsRead} rows: {outcome.Error}");
        }
        return outcome.Run.RecordsWritten;
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}
