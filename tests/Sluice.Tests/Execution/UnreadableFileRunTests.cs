using Sluice.Configuration;
using Sluice.DeadLetters;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.State;
using Sluice.Tests.TestSupport;
using static Sluice.Tests.TestSupport.EncodedFiles;

namespace Sluice.Tests.Execution;

/// <summary>Whole runs over a folder with files that cannot be read: the good files are published once, each bad
/// file is one dead letter counted in the run's books, the quality gate sees them, a re-run does not letter them again,
/// and a replay keeps them and says why.</summary>
public sealed class UnreadableFileRunTests : StateStoreTest
{
    private static string Yaml(string deadLetter = "") => $$"""
        name: unreadable
        source: { type: csv, path: "in/*.csv" }
        contract:
          fields:
            id: { type: int64, required: true }
        sink: { type: jsonl, path: out }
        {{deadLetter}}
        """;

    private void WriteInputs()
    {
        Dir.Write("in/a.csv", "id\n" + string.Concat(Enumerable.Range(0, 100).Select(i => $"{i}\n")));
        Dir.Write("in/b.csv", Utf16("id\n1000\n"));
        Dir.Write("in/c.csv", Gzip("id\n" + string.Concat(Enumerable.Range(100, 100).Select(i => $"{i}\n"))));
        Dir.Write("in/d.csv", "key\n2000\n");
    }

    private PipelineDefinition Load(string yaml) => PipelineFile.Parse(Dir.Write("p.yaml", yaml)) with { BaseDirectory = Dir.Path };

    [Fact]
    public async Task The_good_files_are_published_once_and_each_bad_file_is_one_letter_in_the_books()
    {
        WriteInputs();

        var first = await new PipelineRunner(Store).RunAsync(Load(Yaml()));
        var again = await new PipelineRunner(Store).RunAsync(Load(Yaml()));

        Assert.Equal(RunState.Succeeded, first.Run.State);
        Assert.Equal((202L, 200L, 2L), (first.Run.RecordsRead, first.Run.RecordsWritten, first.Run.DeadLettered));
        Assert.Equal(Enumerable.Range(0, 200).Select(i => (long)i), JsonlOutput.Ids(Dir.File("out")).Order());
        var letters = await Store.ListDeadLettersAsync(new DeadLetterQuery("unreadable", Limit: 10));
        Assert.Equal([(Dir.File("in/b.csv"), FileLetters.UnreadableFile), (Dir.File("in/d.csv"), FileLetters.HeaderMismatch)],
            letters.OrderBy(l => l.File, StringComparer.Ordinal).Select(l => (l.File, l.Rule)));
        Assert.All(letters, l => Assert.Equal(DeadLetterReason.Parse, l.Reason));
        Assert.Equal((0L, 0L), (again.Run.RecordsRead, again.Run.DeadLettered)); // consumed: not lettered again
        Assert.Equal(2, (await Store.ListDeadLettersAsync(new DeadLetterQuery("unreadable", Limit: 10))).Count);
    }

    [Fact]
    public async Task The_dead_letter_quality_gate_counts_unreadable_files()
    {
        WriteInputs();

        var outcome = await new PipelineRunner(Store).RunAsync(Load(Yaml("dead_letter: { max_count: 1 }")));

        Assert.Equal(RunState.QualityGateFailed, outcome.Run.State);
    }

    [Fact]
    public async Task A_replay_keeps_a_file_letter_with_one_attempt_more_and_says_why()
    {
        WriteInputs();
        await new PipelineRunner(Store).RunAsync(Load(Yaml()));

        var replay = await new PipelineRunner(Store).ReplayAsync(Load(Yaml()), new DeadLetterQuery());

        Assert.True(replay.Succeeded);
        var run = Assert.Single(replay.Runs).Run;
        Assert.Equal((2L, 0L, 2L), (run.RecordsRead, run.RecordsWritten, run.DeadLettered));
        var letters = await Store.ListDeadLettersAsync(new DeadLetterQuery("unreadable", Limit: 10));
        Assert.Equal(2, letters.Count);
        Assert.All(letters, l => Assert.Equal(2, l.Attempts));
        Assert.All(letters, l => Assert.StartsWith("not replayed: this letter stands for a file", l.Message));
        Assert.All(letters, l => Assert.Contains("cannot read", l.Message));
        Assert.Equal(200, JsonlOutput.Ids(Dir.File("out")).Count);
    }
}
