using System.Text.Json;
using Sluice.Connectors.Files;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Connectors.Files;

/// <summary>The two phases of a file sink: prepare makes data durable but invisible, commit publishes it, and
/// committing again — as a process resuming after a crash will — is harmless.</summary>
public class PartFileTwoPhaseTests
{
    public static TheoryData<string> Formats => new() { "parquet", "jsonl", "csv" };

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Prepared_files_are_invisible_until_their_token_is_committed(string format)
    {
        using var dir = new TempDir();
        string folder = Path.Combine(dir.Path, "out");
        await using var sink = SinkRows.Create(format, dir.Path);
        await sink.WriteAsync(SinkRows.ToBatch(SinkRows.Sample), SinkRows.Context(), default);

        var prepared = await sink.PrepareAsync(default);
        string first = prepared.Token;
        await sink.WriteAsync(SinkRows.ToBatch(SinkRows.Sample), SinkRows.Context(), default);
        string second = (await sink.PrepareAsync(default)).Token;

        Assert.Empty(Directory.GetFiles(folder, $"*.{format}"));
        Assert.Single(JsonSerializer.Deserialize<string[]>(first)!);
        Assert.Single(JsonSerializer.Deserialize<string[]>(second)!);

        await sink.CommitAsync(first, default);
        var visible = Directory.GetFiles(folder, $"*.{format}");
        Assert.Equal(prepared.Files, visible); // the manifest names exactly what the commit made visible
        Assert.Equal(SinkRows.Sample.Count, SinkRows.Read(format, visible[0]).Count);

        await sink.CommitAsync(first, default); // again: harmless
        await sink.CommitAsync(second, default);
        Assert.Equal(2, Directory.GetFiles(folder, $"*.{format}").Length);
        Assert.Empty(Directory.GetFiles(folder, "*.inprogress"));
    }

    /// <summary>The reference docs say what the sink does: files appear when a checkpoint commits (the test above),
    /// not "only when the run completes", as they once said.</summary>
    [Fact]
    public void The_path_option_says_files_are_published_at_each_checkpoint()
    {
        string description = PartFileOptions.Path.Description;

        Assert.Contains("when the checkpoint that covers their rows commits", description);
        Assert.DoesNotContain("when the run completes", description);
    }

    [Fact]
    public async Task A_token_can_be_committed_by_another_process_after_a_crash_in_the_middle_of_a_commit()
    {
        using var dir = new TempDir();
        string folder = Path.Combine(dir.Path, "out");
        await using var sink = SinkRows.Create("jsonl", dir.Path, maxRowsPerFile: 2);
        await sink.WriteAsync(SinkRows.ToBatch(SinkRows.Sample), SinkRows.Context(), default);
        var names = JsonSerializer.Deserialize<string[]>((await sink.PrepareAsync(default)).Token)!;
        Assert.True(names.Length >= 2);
        // The crash: the first rename happened, the others did not.
        File.Move(Path.Combine(folder, names[0]), Path.Combine(folder, names[0][..^".inprogress".Length]));

        var published = PartFileSet.Commit(folder, names);

        Assert.Equal(names.Length, published.Count);
        Assert.All(published, p => Assert.True(File.Exists(p)));
        Assert.Empty(Directory.GetFiles(folder, "*.inprogress"));
    }

    [Fact]
    public async Task Committing_a_token_whose_files_are_gone_fails_loudly()
    {
        using var dir = new TempDir();
        string folder = Path.Combine(dir.Path, "out");
        await using var sink = SinkRows.Create("csv", dir.Path);
        await sink.WriteAsync(SinkRows.ToBatch(SinkRows.Sample), SinkRows.Context(), default);
        var names = JsonSerializer.Deserialize<string[]>((await sink.PrepareAsync(default)).Token)!;
        File.Delete(Path.Combine(folder, names[0]));

        var e = Assert.Throws<PreparedOutputLostException>(() => PartFileSet.Commit(folder, names));
        Assert.Contains("prepared data is lost", e.Message);
        Assert.Throws<ArgumentException>(() => PartFileSet.Commit(folder, ["../elsewhere.csv.inprogress"]));
    }

    [Fact]
    public async Task Abort_removes_prepared_but_uncommitted_files()
    {
        using var dir = new TempDir();
        string folder = Path.Combine(dir.Path, "out");
        await using var sink = SinkRows.Create("parquet", dir.Path);
        await sink.WriteAsync(SinkRows.ToBatch(SinkRows.Sample), SinkRows.Context(), default);
        await sink.PrepareAsync(default);
        await sink.WriteAsync(SinkRows.ToBatch(SinkRows.Sample), SinkRows.Context(), default);

        await sink.AbortAsync();

        Assert.Empty(Directory.GetFiles(folder));
    }
}
