using System.Text;

namespace Sluice.Dashboard.Tests.TestSupport;

/// <summary>
/// A small real pipeline run into a temp state file: 100 orders, every 10th with an amount over the contract's max
/// (dead-lettered; a replay after raising the max writes them), and order 50's note a script that would retitle the
/// page if it ran. Shared by the dashboard's server tests and its browser tests (linked into Sluice.BrowserTests), so
/// both check the pages over the same run.
/// </summary>
public sealed class OrdersPipeline : IDisposable
{
    public const int Rows = 100;
    public static readonly int[] OverMax = [.. Enumerable.Range(1, Rows).Where(i => i % 10 == 0)];
    public const string Script = "<script>document.title='pwned'</script>";

    private readonly TempDir _dir = new();

    public OrdersPipeline()
    {
        var csv = new StringBuilder("id,amount,note\n");
        for (int id = 1; id <= Rows; id++)
            csv.Append(id == 50 ? $"50,900,\"{Script}\"\n" : $"{id},{(id % 10 == 0 ? 500 : 7)},ok\n");
        _dir.Write("data/orders.csv", csv.ToString());
        State = _dir.File("state/state.db");
    }

    public string State { get; }

    /// <summary>The folder the source reads (data/*.csv), absolute: the name lineage gives the dataset the pipeline reads.</summary>
    public string Input => _dir.File("data");

    /// <summary>The jsonl sink's folder (with the default <see cref="Sink"/>).</summary>
    public string Output => _dir.File("out");

    /// <summary>The sink as YAML; by default JSON Lines files in <see cref="Output"/>.</summary>
    public string Sink { get; init; } = "{ type: jsonl, path: out }";

    /// <summary>The pipeline file with the contract's max amount (written again, as after a fix). It promises data
    /// no older than an hour, which only an alert monitor judges, never a run.</summary>
    public string File(int max) => _dir.Write("pipeline.yaml", $$"""
        name: orders
        freshness: 1h
        source: { type: csv, path: data/*.csv }
        contract:
          fields:
            id: { type: int64, required: true }
            amount: { type: int64, min: 0, max: {{max}} }
            note: { type: string }
        sink: {{Sink}}
        """);

    public async Task<RunOutcome> RunAsync(int max = 100)
    {
        await using var store = await SqliteStateStore.OpenAsync(State);
        return await new PipelineRunner(store).RunAsync(PipelineFile.Load(File(max)));
    }

    /// <summary>Reads the state file, opened for this read only (the dashboard under test has it open too).</summary>
    public async Task<T> StoreAsync<T>(Func<SqliteStateStore, Task<T>> read)
    {
        await using var store = await SqliteStateStore.OpenAsync(State);
        return await read(store);
    }

    public void Dispose() => _dir.Dispose();
}
