using System.Text;
using Sluice.Configuration;
using Sluice.Execution;
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

        var consumed = Assert.Single(await Store.ListConsumedFilesAsync("incremental"));
        Assert.Equal(path, consumed.Path);
        Assert.Equal(new FileInfo(path).Length, consumed.Size);
        Assert.Matches("^xxh128:[0-9a-f]{32}$", consumed.ContentHash);
    }

    private async Task<RunOutcome> RunAsync(string format)
    {
        string yaml = $$"""
            name: incremental
            source: { type: {{format}}, path: "in/*.{{format}}" }
            contract:
              fields:
                id: { type: int64, required: true }
            sink: { type: jsonl, path: out }
            """;
        var pipeline = PipelineFile.Parse(Dir.Write("p.yaml", yaml)) with { BaseDirectory = Dir.Path };
        return await new PipelineRunner(Store).RunAsync(pipeline);
    }

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
