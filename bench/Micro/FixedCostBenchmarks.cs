using BenchmarkDotNet.Attributes;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.State;
using Sluice.State.Sqlite;

namespace Sluice.Bench.Micro;

/// <summary>Which state store a fixed-cost benchmark uses.</summary>
public enum StoreKind
{
    /// <summary>The embedded SQLite store in a temp folder: what a real run pays.</summary>
    Sqlite,

    /// <summary>A dictionary: what is left is the engine's own fixed cost.</summary>
    InMemory,
}

/// <summary>
/// Where a run's fixed cost goes: an empty run (source → sink, 0 rows) with each store, and the store calls a run
/// makes (start, save the stage counts, finish, read the run back) without the engine.
/// </summary>
[MemoryDiagnoser]
public class FixedCostBenchmarks
{
    private string _folder = "";
    private IStateStore _store = null!;
    private PipelineRunner _runner = null!;
    private PipelineDefinition _pipeline = null!;
    private readonly List<StageCounts> _counts =
    [
        new("source", StageKind.Source, 0, 0, 0, 0, TimeSpan.Zero),
        new("sink", StageKind.Sink, 0, 0, 0, 0, TimeSpan.Zero),
    ];

    [Params(StoreKind.Sqlite, StoreKind.InMemory)]
    public StoreKind Store { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _folder = Path.Combine(Path.GetTempPath(), $"sluice-micro-{Guid.NewGuid():N}");
        _store = Store == StoreKind.Sqlite
            ? await SqliteStateStore.OpenAsync(Path.Combine(_folder, "state.db"))
            : new InMemoryStateStore();
        _runner = new PipelineRunner(_store);
        _pipeline = Graph.SourceSink.Pipeline(new PrebuiltSourceOptions(PrebuiltSource.Build(1), 0));
    }

    [Benchmark]
    public async Task<RunState> EmptyRun() => (await _runner.RunAsync(_pipeline)).Run.State;

    [Benchmark]
    public async Task<RunState> StoreCalls()
    {
        var run = await _store.StartRunAsync(_pipeline.Name);
        await _store.SaveStageCountsAsync(run.Id, _counts);
        await _store.FinishRunAsync(run.Id, RunState.Succeeded, new RunTotals(0, 0, 0, 0), null);
        return (await _store.FindRunAsync(run.Id))!.State;
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _store.DisposeAsync();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
