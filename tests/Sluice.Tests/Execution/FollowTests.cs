using Sluice.Configuration;
using Sluice.Execution;
using Sluice.State;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Execution;

/// <summary>A run that follows its input reads files as they appear, publishes them on the checkpoint timer while
/// it waits, and can be stopped and resumed without losing or repeating a record.</summary>
public sealed class FollowTests : StateStoreTest
{
    private const string Yaml = """
        name: follow
        checkpoint: { every_records: 0, every_seconds: 0.2 }
        source: { type: csv, path: "in/*.csv" }
        contract:
          fields:
            id: { type: int64, required: true }
        sink: { type: jsonl, path: out }
        """;

    [Fact]
    public async Task A_following_run_publishes_new_files_as_they_arrive_and_resumes_after_a_stop()
    {
        WriteInput("1", 0, 300);
        var pipeline = PipelineFile.Parse(Dir.Write("p.yaml", Yaml)) with { BaseDirectory = Dir.Path };
        using var stop = new CancellationTokenSource();
        var following = new RunnerOptions { FollowPoll = TimeSpan.FromMilliseconds(50) };

        var run = await new PipelineRunner(Store, following).StartAsync(pipeline, stop.Token);
        await WaitForOutputAsync(300);
        WriteInput("2", 300, 200);
        await WaitForOutputAsync(500);
        Assert.False(run.Completion.IsCompleted); // still waiting for more
        await stop.CancelAsync();
        var stopped = await run.Completion;

        Assert.Equal(RunState.Cancelled, stopped.Run.State); // cancelled through the token: aborted, not drained
        Assert.True(stopped.Checkpoints >= 2, $"{stopped.Checkpoints} checkpoints");
        Assert.Equal(Enumerable.Range(0, 500).Select(i => (long)i), ReadOutputIds().Order());

        WriteInput("3", 500, 100);
        var resumed = await new PipelineRunner(Store).StartAsync(pipeline);
        var outcome = await resumed.Completion;

        Assert.NotNull(resumed.ResumedFrom);
        Assert.Equal(RunState.Succeeded, outcome.Run.State);
        Assert.Equal(600, outcome.Run.RecordsRead);
        Assert.Equal(Enumerable.Range(0, 600).Select(i => (long)i), ReadOutputIds().Order());
    }

    private async Task WaitForOutputAsync(int rows)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (ReadOutputIds().Count < rows && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        Assert.Equal(rows, ReadOutputIds().Count);
    }

    /// <summary>Written under another name and renamed in, as files must arrive for a following source.</summary>
    private void WriteInput(string name, int firstId, int rows)
    {
        string temporary = Dir.Write($"in/{name}.csv.tmp", IdsCsv.Of(firstId, rows));
        File.Move(temporary, Dir.File($"in/{name}.csv"));
    }

    private List<long> ReadOutputIds() => JsonlOutput.Ids(Dir.File("out"));
}
