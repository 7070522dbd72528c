using Sluice.Connectors.Files;
using System.Text;
using Sluice.Configuration;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.State;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Execution;

/// <summary>A finished pipeline re-run over a folder reads only the files it has not consumed (same path, size and
/// content), so each record reaches the output once however often the pipeline runs.</summary>
public sealed class IncrementalLoadTests : StateStoreTest
{
    [Theory]
    [InlineData("csv")]
    [InlineData("jsonl")]
    public async Task A_rerun_reads_only_the_new_files(string format)
    {
        WriteInput(format, "in/1", 0, 300);
        WriteInput(format, "in/2", 300, 200);
        var first = await RunAsync(format);
        Assert.Equal(500, first.Run.RecordsRead);

        WriteInput(format, "in/3", 500, 100);
        var second = await RunAsync(format);

        Assert.Equal(RunState.Succeeded, second.Run.State);
        Assert.Equal(100, second.Run.RecordsRead);
        Assert.Equal(Enumerable.Range(0, 600).Select(i => (long)i), ReadOutputIds().Order());

        var third = await RunAsync(format);
        Assert.Equal(RunState.Succeeded, third.Run.State);
        Assert.Equal(0, third.Run.RecordsRead);
        Assert.Equal(600, ReadOutputIds().Count);
    }

    [Fact]
    public async Task A_file_rewritten_in_place_is_read_again_even_at_the_same_size()
    {
        WriteInput("csv", "in/1", 0, 300);
        WriteInput("csv", "in/2", 300, 200);
        await RunAsync("csv");

        WriteInput("csv", "in/2", 700, 200); // ids 700..899: the same byte length as 300..499
        var rerun = await RunAsync("csv");

        Assert.Equal(200, rerun.Run.RecordsRead);
        Assert.Equal(Enumerable.Range(0, 500).Concat(Enumerable.Range(700, 200)).Select(i => (long)i), ReadOutputIds().Order());
    }

    [Fact]
    public async Task Consumed_files_are_recorded_with_their_size_and_content_hash()
    {
        string path = WriteInput("csv", "in/1", 0, 10);
        await RunAsync("csv");

        var consumed = ConsumedFile.FromMark(Assert.Single(await Store.ListInputMarksAsync("incremental")));
        Assert.Equal(path, consumed.Path);
        Assert.Equal(new FileInfo(path).Length, consumed.Size);
        Assert.Matches("^xxh128:[0-9a-f]{32}$", consumed.ContentHash);
    }

    [Theory]
    [InlineData("csv")]
    [InlineData("jsonl")]
    public async Task A_grown_file_is_read_on_from_where_the_last_run_stopped(string format)
    {
        WriteInput(format, "in/1", 0, 300);
        await RunAsync(format);

        AppendInput(format, "in/1", 300, 100);
        var grown = await RunAsync(format);

        Assert.Equal(RunState.Succeeded, grown.Run.State);
        Assert.Equal(100, grown.Run.RecordsRead);
        Assert.Empty(grown.Notes);
        Assert.Equal(Enumerable.Range(0, 400).Select(i => (long)i), ReadOutputIds().Order()); // each once

        AppendInput(format, "in/1", 400, 50);
        var again = await RunAsync(format);
        Assert.Equal(50, again.Run.RecordsRead);
        var dead = await Store.ListDeadLettersAsync(new DeadLetterQuery(Limit: 10));
        Assert.Empty(dead);
        Assert.Equal(Enumerable.Range(0, 450).Select(i => (long)i), ReadOutputIds().Order());
        Assert.Single(await Store.ListInputMarksAsync("incremental")); // the grown file's older record is superseded
    }

    /// <summary>A UTF-16 file's positions count the UTF-8 text it decodes to, not its own bytes, so no prefix of it
    /// can be checked against them: appended to, it is a changed file (announced), never read on from a wrong place.</summary>
    [Theory]
    [InlineData("reread", 140)]
    [InlineData("skip", 0)]
    public async Task A_utf16_file_that_grew_is_a_changed_file_not_a_tail(string option, int read)
    {
        var utf16 = new UnicodeEncoding(bigEndian: false, byteOrderMark: false);
        Directory.CreateDirectory(Dir.File("in"));
        File.WriteAllBytes(Dir.File("in/1.csv"), [0xFF, 0xFE, .. utf16.GetBytes("id\n" + string.Concat(Enumerable.Range(0, 100).Select(i => $"{i}\n")))]);
        Assert.Equal(100, (await RunAsync("csv", option, encoding: "utf-16")).Run.RecordsRead);

        File.AppendAllText(Dir.File("in/1.csv"), string.Concat(Enumerable.Range(100, 40).Select(i => $"{i}\n")), utf16);
        var grown = await RunAsync("csv", option, encoding: "utf-16");

        Assert.Equal(RunState.Succeeded, grown.Run.State);
        Assert.Contains(grown.Notes, n => n.Warning && n.Message.Contains("changed since an earlier run consumed it"));
        Assert.Equal(read, grown.Run.RecordsRead);
        Assert.Empty(await Store.ListDeadLettersAsync(new DeadLetterQuery(Limit: 10)));
        Assert.Equal(Enumerable.Range(0, 100).Concat(Enumerable.Range(0, read)).Select(i => (long)i).Order(), ReadOutputIds().Order());
    }

    [Fact]
    public async Task A_rerun_says_how_many_files_it_skipped_as_already_consumed()
    {
        WriteInput("csv", "in/1", 0, 10);
        WriteInput("csv", "in/2", 10, 10);
        await RunAsync("csv");

        var rerun = await RunAsync("csv");

        Assert.Equal(0, rerun.Run.RecordsRead);
        var note = Assert.Single(rerun.Notes);
        Assert.False(note.Warning);
        Assert.StartsWith("2 input files already consumed, skipped", note.Message, StringComparison.Ordinal);
        Assert.Equal([note], await Store.GetRunNotesAsync(rerun.Run.Id));
    }

    [Theory]
    [InlineData("reread", 200)]
    [InlineData("skip", 0)]
    public async Task A_file_rewritten_in_place_is_announced_and_handled_as_on_changed_file_says(string option, int reread)
    {
        WriteInput("csv", "in/1", 0, 300);
        WriteInput("csv", "in/2", 300, 200);
        await RunAsync("csv", option);

        WriteInput("csv", "in/2", 700, 250); // longer, but its first bytes differ: not a file that grew
        var rerun = await RunAsync("csv", option);

        Assert.Equal(RunState.Succeeded, rerun.Run.State);
        Assert.Equal(reread == 0 ? 0 : 250, rerun.Run.RecordsRead);
        var warning = Assert.Single(rerun.Notes, n => n.Warning);
        Assert.Contains(Dir.File("in/2.csv"), warning.Message, StringComparison.Ordinal);
        Assert.Contains("changed since an earlier run consumed it", warning.Message, StringComparison.Ordinal);
        Assert.Contains($"on_changed_file: {option}", warning.Message, StringComparison.Ordinal);
        Assert.Contains(warning, await Store.GetRunNotesAsync(rerun.Run.Id));
        var expected = Enumerable.Range(0, 500).Concat(reread == 0 ? [] : Enumerable.Range(700, 250));
        Assert.Equal(expected.Select(i => (long)i), ReadOutputIds().Order());

        var third = await RunAsync("csv", option); // the file as it now is counts as consumed either way
        Assert.Equal(0, third.Run.RecordsRead);
        Assert.DoesNotContain(third.Notes, n => n.Warning);
    }

    [Fact]
    public async Task On_changed_file_fail_fails_the_run_naming_the_file_and_writes_nothing_of_it()
    {
        WriteInput("csv", "in/1", 0, 300);
        await RunAsync("csv", "fail");

        WriteInput("csv", "in/1", 700, 100); // shorter
        var rerun = await RunAsync("csv", "fail");

        Assert.Equal(RunState.Failed, rerun.Run.State);
        Assert.Contains(Dir.File("in/1.csv"), rerun.Error, StringComparison.Ordinal);
        Assert.Contains("it is shorter", rerun.Error, StringComparison.Ordinal);
        Assert.Contains("on_changed_file: fail", rerun.Error, StringComparison.Ordinal);
        Assert.Equal(Enumerable.Range(0, 300).Select(i => (long)i), ReadOutputIds().Order());
    }

    [Fact]
    public async Task A_last_record_without_a_line_break_that_grew_is_a_changed_file_not_a_tail()
    {
        Dir.Write("in/1.csv", "id\n1\n2");
        await RunAsync("csv");

        File.AppendAllText(Dir.File("in/1.csv"), "3\n4\n"); // the last record, 2, became 23
        var rerun = await RunAsync("csv");

        var warning = Assert.Single(rerun.Notes, n => n.Warning);
        Assert.Contains("no line break", warning.Message, StringComparison.Ordinal);
        Assert.Equal([1L, 1L, 2L, 4L, 23L], ReadOutputIds().Order()); // read again from its start, as announced
    }

    [Fact]
    public async Task A_header_only_file_that_grew_is_read_from_its_start_without_a_warning()
    {
        Dir.Write("in/1.csv", "id\n");
        await RunAsync("csv");

        AppendInput("csv", "in/1", 0, 20);
        var rerun = await RunAsync("csv");

        Assert.Empty(rerun.Notes);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), ReadOutputIds().Order());
    }

    [Theory]
    [InlineData("csv")]
    [InlineData("jsonl")]
    public async Task A_file_that_grows_while_a_failed_run_resumes_in_its_tail_is_still_written_exactly_once(string format)
    {
        WriteInput(format, "in/1", 0, 300);
        await RunAsync(format);
        AppendInput(format, "in/1", 300, 3000);

        var tripwire = new TripwireOptions(afterBatches: 12, ready: () => HasCheckpointAsync().GetAwaiter().GetResult());
        var failed = await RunAsync(format, tripwire: tripwire);
        Assert.Equal(RunState.Failed, failed.Run.State);
        Assert.NotNull(await Store.GetLatestCheckpointAsync(failed.Run.Id)); // it stopped inside the tail
        AppendInput(format, "in/1", 3300, 200);

        tripwire.Armed = false;
        var resumed = await RunAsync(format, tripwire: tripwire);

        Assert.Equal(failed.Run.Id, resumed.Run.Id);
        Assert.Equal(RunState.Succeeded, resumed.Run.State);
        Assert.Equal(Enumerable.Range(0, 3500).Select(i => (long)i), ReadOutputIds().Order());
        var next = await RunAsync(format, tripwire: tripwire);
        Assert.Equal(0, next.Run.RecordsRead);
    }

    /// <summary>--fresh after a run that died in a grown file's tail: the fresh run reads the tail again from where
    /// the earlier run recorded its end, so the dead run's letters from the tail must go, or each would be queued twice.</summary>
    [Fact]
    public async Task Fresh_after_a_run_that_died_in_a_grown_files_tail_queues_each_letter_once()
    {
        WriteInput("csv", "in/1", 0, 300);
        await RunAsync("csv");
        File.AppendAllText(Dir.File("in/1.csv"), string.Concat(Enumerable.Range(300, 3000).Select(id => id % 100 == 0 ? "x\n" : $"{id}\n")));
        var tripwire = new TripwireOptions(afterBatches: 12, ready: () => HasCheckpointAsync().GetAwaiter().GetResult());
        var failed = await RunAsync("csv", tripwire: tripwire);
        Assert.Equal(RunState.Failed, failed.Run.State);
        Assert.NotEmpty(await Store.ListDeadLettersAsync(new DeadLetterQuery(RunId: failed.Run.Id))); // committed letters of the tail

        tripwire.Armed = false;
        var fresh = await RunAsync("csv", tripwire: tripwire, fresh: true);

        Assert.Equal(RunState.Succeeded, fresh.Run.State);
        var letters = await Store.ListDeadLettersAsync(new DeadLetterQuery(Pipeline: "incremental", Limit: 1000));
        Assert.Equal(Enumerable.Range(3, 30).Select(i => i * 100 + 2L), letters.Select(l => l.Line).Order()); // line = id + 2
    }

    [Fact]
    public async Task A_parquet_file_that_changed_is_a_changed_file_even_when_its_first_bytes_are_the_same()
    {
        WriteParquet("in/1.parquet", 0, 100);
        await RunAsync("parquet");

        WriteParquet("in/1.parquet", 0, 150); // the same first rows, more after: a Parquet file is rewritten, never appended to
        var rerun = await RunAsync("parquet");

        var warning = Assert.Single(rerun.Notes, n => n.Warning);
        Assert.Contains(Dir.File("in/1.parquet"), warning.Message, StringComparison.Ordinal);
        Assert.Equal(150, rerun.Run.RecordsRead);
        Assert.Equal(Enumerable.Range(0, 100).Concat(Enumerable.Range(0, 150)).Select(i => (long)i).Order(), ReadOutputIds().Order());
    }

    private void WriteParquet(string name, int firstId, int rows)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Dir.File(name))!);
        var batch = new Apache.Arrow.RecordBatch.Builder()
            .Append("id", false, new Apache.Arrow.Int64Array.Builder().AppendRange(Enumerable.Range(firstId, rows).Select(i => (long)i)).Build())
            .Build();
        using var writer = new ParquetSharp.Arrow.FileWriter(Dir.File(name), batch.Schema);
        writer.WriteRecordBatch(batch);
        writer.Close();
    }

    private async Task<RunOutcome> RunAsync(string format, string onChangedFile = "reread", TripwireOptions? tripwire = null,
        string? encoding = null, bool fresh = false)
    {
        string yaml = $$"""
            name: incremental
            checkpoint: { every_records: 250, every_seconds: 0 }
            source: { type: {{format}}, path: "in/*.{{format}}", on_changed_file: {{onChangedFile}}{{(encoding is null ? "" : ", encoding: " + encoding)}} }
            contract:
              fields:
                id: { type: int64, required: true }
            sink: { type: jsonl, path: out }
            """;
        var pipeline = PipelineFile.Parse(Dir.Write("p.yaml", yaml)) with { BaseDirectory = Dir.Path };
        if (tripwire is not null)
        {
            var stages = pipeline.Stages.Select(s => s.Name == "sink" ? s with { Inputs = ["tripwire"] } : s).ToList();
            stages.Insert(stages.Count - 1, new StageDefinition("tripwire", tripwire, [stages[^2].Name]));
            pipeline = pipeline with { Stages = stages };
        }
        return await (await new PipelineRunner(Store, new RunnerOptions { BatchSize = 100 }).StartAsync(pipeline, fresh)).Completion;
    }

    private async Task<bool> HasCheckpointAsync()
    {
        var latest = (await Store.ListRunsAsync("incremental", 1)).FirstOrDefault();
        return latest is not null && await Store.GetLatestCheckpointAsync(latest.Id) is not null;
    }

    private void AppendInput(string format, string name, int firstId, int rows) =>
        File.AppendAllText(Dir.File($"{name}.{format}"), string.Concat(Enumerable.Range(firstId, rows)
            .Select(id => format == "csv" ? $"{id}\n" : $"{{\"id\":{id}}}\n")));

    private string WriteInput(string format, string name, int firstId, int rows)
    {
        var text = new StringBuilder(format == "csv" ? "id\n" : "");
        foreach (int id in Enumerable.Range(firstId, rows))
        {
            text.Append(format == "csv" ? $"{id}\n" : $"{{\"id\":{id}}}\n");
        }
        return Dir.Write($"{name}.{format}", text.ToString());
    }

    private List<long> ReadOutputIds() => JsonlOutput.Ids(Dir.File("out"));
}
