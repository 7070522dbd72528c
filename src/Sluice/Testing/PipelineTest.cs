using Sluice.Execution;
using Sluice.State;
using Sluice.State.Sqlite;

namespace Sluice.Testing;

/// <summary>Runs a pipeline the way a test wants it: against a fresh state file of its own (deleted after), and
/// returns its outcome with its dead letters and counts.</summary>
public static class PipelineTest
{
    /// <summary>Runs <paramref name="pipeline"/> once from the start, to its end.</summary>
    public static async Task<PipelineTestResult> RunAsync(Pipeline pipeline, CancellationToken cancellationToken = default)
    {
        string folder = Path.Combine(Path.GetTempPath(), "sluice-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            await using var store = await SqliteStateStore.OpenAsync(Path.Combine(folder, "state.db"), cancellationToken);
            var outcome = await new PipelineRunner(store).RunAsync(pipeline.Definition, cancellationToken);
            var letters = await store.ListDeadLettersAsync(new DeadLetterQuery(RunId: outcome.Run.Id, Limit: int.MaxValue) { OldestFirst = true },
                cancellationToken);
            return new PipelineTestResult(outcome, letters);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
