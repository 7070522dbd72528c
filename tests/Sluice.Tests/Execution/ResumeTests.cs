using System.Text;
using Apache.Arrow;
using Sluice.Configuration;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.Records;
using Sluice.State;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Execution;

/// <summary>
/// A run that fails after some checkpoints is resumed by the next one, and together they write every accepted record
/// exactly once and dead-letter every rejected one exactly once — through a union of two sources (barrier
/// alignment), a contract, and a dedupe whose key set must survive the failure.
/// </summary>
public sealed class ResumeTests : StateStoreTest
{
    private const int RowsPerFile = 2500;
    private const int BadEvery = 250;      // every 250th row of a file has v = "x": dead-lettered by the contract
    private const int RepeatedIds = 100;   // b-2.csv starts with a-1.csv's first ids: dropped by dedupe

    private const string Yaml = """
        name: resume
        checkpoint: { every_records: 1000, every_seconds: 0 }
        stages:
          - name: left
            source: { type: csv, path: "in/a-*.csv" }
          - name: right
            source: { type: csv, path: "in/b-*.csv" }
          - name: check
            from: [left, right]
            contract:
              fields:
                id: { type: int64, required: true }
                v: { type: int64, required: true }
          - name: unique
            dedupe: { key: [id] }
          - name: out
            sink: { type: jsonl, path: out, max_rows_per_file: 700 }
        """;

    private static readonly RunnerOptions SmallBatches = new() { BatchSize = 200 };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        WriteInput("a-1.csv", 0);
        WriteInput("a-2.csv", RowsPerFile);
        WriteInput("b-1.csv", 2 * RowsPerFile);
        WriteInput("b-2.csv", 3 * RowsPerFile, repeatFirst: RepeatedIds);
    }

    [Fact]
    public async Task A_failed_run_resumes_from_its_last_checkpoint_and_writes_each_record_once()
    {
        var tripwire = new TripwireOptions(afterBatches: 20, ready: () => HasCheckpointAsync().GetAwaiter().GetResult());
        var failed = await new PipelineRunner(Store, SmallBatches).RunAsync(WithTripwire(tripwire));
        Assert.Equal(RunState.Failed, failed.Run.State);
        var stoppedAt = await Store.GetLatestCheckpointAsync(failed.Run.Id);
        Assert.NotNull(stoppedAt);
        Assert.NotEmpty(ReadOutputIds()); // the failed run did publish its checkpoints

        tripwire.Armed = false;
        var run = await new PipelineRunner(Store, SmallBatches).StartAsync(WithTripwire(tripwire));
        var outcome = await run.Completion;

        Assert.Equal(new ResumePoint(stoppedAt!.Id, stoppedAt.RecordsCommitted), run.ResumedFrom);
        Assert.Equal(failed.Run.Id, outcome.Run.Id);
        Assert.Equal(RunState.Succeeded, outcome.Run.State);
        var ids = ReadOutputIds();
        Assert.Equal(ExpectedIds().Order(), ids.Order()); // each accepted record once: none lost, none twice
        Assert.Empty(Directory.GetFiles(Dir.File("out"), "*.inprogress"));

        var letters = await Store.ListDeadLettersAsync(new DeadLetterQuery(RunId: outcome.Run.Id, Limit: 10_000));
        var expectedLetters = ExpectedBadRows();
        Assert.Equal(expectedLetters.Order(), letters.Select(l => (Path.GetFileName(l.File), l.Line)).Order());

        Assert.Equal(4L * RowsPerFile, outcome.Run.RecordsRead);
        Assert.Equal(expectedLetters.Count, outcome.Run.DeadLettered);
        Assert.Equal(Enumerable.Range(0, RepeatedIds).Count(i => !IsBad(i)), outcome.Run.Filtered);
        Assert.Equal(ids.Count, outcome.Run.RecordsWritten);
        var checkpoints = await Store.ListCheckpointsAsync(outcome.Run.Id);
        Assert.Equal(Enumerable.Range(1, checkpoints.Count).Select(i => (long)i), checkpoints.Select(c => c.Id));
        Assert.Equal(ids.Count, checkpoints[^1].RecordsCommitted);
    }

    [Fact]
    public async Task Fresh_closes_the_unfinished_run_keeps_its_published_output_and_reads_its_unfinished_files_again()
    {
        var tripwire = new TripwireOptions(afterBatches: 20, ready: () => HasCheckpointAsync().GetAwaiter().GetResult());
        var failed = await new PipelineRunner(Store, SmallBatches).RunAsync(WithTripwire(tripwire));
        var stoppedAt = await Store.GetLatestCheckpointAsync(failed.Run.Id);
        var publishedBefore = Directory.GetFiles(Dir.File("out"), "*.jsonl");

        tripwire.Armed = false;
        var run = await new PipelineRunner(Store, SmallBatches).StartAsync(WithTripwire(tripwire), fresh: true);
        var outcome = await run.Completion;

        Assert.Equal(new SupersededRun(failed.Run.Id, stoppedAt!.Id, stoppedAt.RecordsCommitted), run.Superseded);
        Assert.Null(run.ResumedFrom);
        Assert.NotEqual(failed.Run.Id, outcome.Run.Id);
        Assert.Equal(RunState.Succeeded, outcome.Run.State);
        var old = await Store.FindRunAsync(failed.Run.Id);
        Assert.Equal(RunState.Failed, old!.State); // keeps its own error: it had ended, it was not left running
        Assert.All(publishedBefore, f => Assert.True(File.Exists(f)));
        // The old run's output stays and the new run reads again every file the old one had not finished, so the
        // records of its last file(s) appear twice: what --fresh warns about.
        var ids = ReadOutputIds();
        Assert.Equal(ExpectedIds().Order(), ids.Distinct().Order());
        Assert.True(ids.Count > ExpectedIds().Count);
    }

    [Fact]
    public async Task A_run_whose_published_output_was_deleted_does_not_resume_but_fresh_still_starts()
    {
        var tripwire = new TripwireOptions(afterBatches: 20, ready: () => HasCheckpointAsync().GetAwaiter().GetResult());
        var failed = await new PipelineRunner(Store, SmallBatches).RunAsync(WithTripwire(tripwire));
        foreach (string file in Directory.GetFiles(Dir.File("out")))
        {
            File.Delete(file); // cleaned up by hand
        }
        tripwire.Armed = false;

        var e = await Assert.ThrowsAsync<Sluice.Connectors.Files.PreparedOutputLostException>(
            () => new PipelineRunner(Store, SmallBatches).StartAsync(WithTripwire(tripwire)));
        var run = await new PipelineRunner(Store, SmallBatches).StartAsync(WithTripwire(tripwire), fresh: true);
        var outcome = await run.Completion;

        Assert.Contains($"run {failed.Run.Id} cannot resume from checkpoint", e.Message);
        Assert.EndsWith("run with --fresh to start a new run without it", e.Message);
        Assert.Contains("neither it nor", run.Superseded?.Lost);
        Assert.Equal(RunState.Succeeded, outcome.Run.State);
    }

    [Fact]
    public async Task A_run_does_not_resume_with_other_stages()
    {
        var tripwire = new TripwireOptions(afterBatches: 20, ready: () => HasCheckpointAsync().GetAwaiter().GetResult());
        await new PipelineRunner(Store, SmallBatches).RunAsync(WithTripwire(tripwire));

        var changed = PipelineFile.Parse(Dir.Write("p.yaml", Yaml)) with { BaseDirectory = Dir.Path };
        var e = await Assert.ThrowsAsync<PipelineException>(() => new PipelineRunner(Store, SmallBatches).StartAsync(changed));

        Assert.Contains("--fresh", e.Message);
        Assert.Contains("tripwire", e.Message);
    }

    private PipelineDefinition WithTripwire(TripwireOptions tripwire)
    {
        var pipeline = PipelineFile.Parse(Dir.Write("p.yaml", Yaml)) with { BaseDirectory = Dir.Path };
        var stages = pipeline.Stages.Select(s => s.Name == "out" ? s with { Inputs = ["tripwire"] } : s).ToList();
        stages.Insert(stages.Count - 1, new StageDefinition("tripwire", tripwire, ["unique"]));
        return pipeline with { Stages = stages };
    }

    private async Task<bool> HasCheckpointAsync()
    {
        var latest = (await Store.ListRunsAsync("resume", 1)).FirstOrDefault();
        return latest is not null && await Store.GetLatestCheckpointAsync(latest.Id) is not null;
    }

    private void WriteInput(string name, int firstId, int repeatFirst = 0)
    {
        var text = new StringBuilder("id,v\n");
        for (int i = 0; i < RowsPerFile; i++)
        {
            int id = i < repeatFirst ? i : firstId + i;
            text.Append(id).Append(',').Append(IsBad(i) ? "x" : (id * 7).ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        }
        Dir.Write("in/" + name, text.ToString());
    }

    private static bool IsBad(int row) => row % BadEvery == 0;

    private static List<long> ExpectedIds()
    {
        var ids = new HashSet<long>();
        for (int file = 0; file < 4; file++)
        {
            for (int i = 0; i < RowsPerFile; i++)
            {
                if (!IsBad(i))
                {
                    ids.Add(file == 3 && i < RepeatedIds ? i : file * RowsPerFile + i);
                }
            }
        }
        return [.. ids];
    }

    private static List<(string, long)> ExpectedBadRows() =>
        (from file in new[] { "a-1.csv", "a-2.csv", "b-1.csv", "b-2.csv" }
         from i in Enumerable.Range(0, RowsPerFile)
         where IsBad(i)
         select (file, (long)i + 2)).ToList(); // line 1 is the header

    private List<long> ReadOutputIds() => JsonlOutput.Ids(Dir.File("out"));
}

/// <summary>Fails the run (an I/O error) at its <c>afterBatches</c>-th batch once <c>ready</c> says so, while armed.</summary>
internal sealed record TripwireOptions(int afterBatches, Func<bool> ready) : ITransformOptions
{
    public bool Armed { get; set; } = true;

    public ITransform CreateTransform(Schema input, BuildContext context) => new Tripwire(input, this);

    private sealed class Tripwire(Schema input, TripwireOptions options) : ITransform
    {
        private int _batches;

        public Schema OutputSchema => input;

        public Batch? Apply(Batch batch, StageContext context)
        {
            if (options.Armed && ++_batches >= options.afterBatches)
            {
                if (!SpinWait.SpinUntil(options.ready, TimeSpan.FromSeconds(10)))
                {
                    throw new InvalidOperationException("tripwire: the test never got ready for the failure"); // permanent: fails the test's run
                }
                throw new IOException("tripwire: the disk went away");
            }
            return batch;
        }
    }
}
