using System.IO.Compression;
using System.Text;
using Sluice.Cli.Tests.TestSupport;

namespace Sluice.Cli.Tests.Commands;

/// <summary>Files the csv source cannot read, end to end: a run goes on past them (one dead letter each, exit 0),
/// <c>on_unreadable_file: fail</c> fails it naming the file (exit 1), and a header naming a column twice is an invalid
/// pipeline (exit 2) at validate and run — never a stack trace.</summary>
public sealed class UnreadableFileCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Pipeline(string sourceOptions = "") => _dir.Write("pipeline.yaml", $$"""
        name: files
        source: { type: csv, path: data/*.csv{{sourceOptions}} }
        sink: { type: jsonl, path: out }
        """);

    private static void AssertNoStackTrace(CliResult result)
    {
        Assert.DoesNotContain("   at ", result.Stdout + result.Stderr);
        Assert.DoesNotContain("Exception", result.Stdout + result.Stderr);
    }

    [Fact]
    public async Task A_run_goes_on_past_a_utf16_file_and_a_gzip_file_is_read()
    {
        _dir.Write("data/a.csv", "id\n1\n2\n");
        _dir.Write("data/b.csv", [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes("id\n3\n")]);
        var gzip = new MemoryStream();
        using (var writer = new GZipStream(gzip, CompressionLevel.Fastest, leaveOpen: true))
        {
            writer.Write("id\n4\n"u8);
        }
        _dir.Write("data/c.csv", gzip.ToArray());

        CliResult run = await TestSupport.Sluice.RunAsync("run", Pipeline(), "--state", _dir.File("state.db"));
        CliResult list = await TestSupport.Sluice.RunAsync("dlq", "list", "--pipeline", "files", "--state", _dir.File("state.db"));

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("in 4 = out 3 + dead 1 + filtered 0", run.Stdout);
        Assert.Contains("unreadable_file", list.Stdout);
        AssertNoStackTrace(run);
    }

    [Fact]
    public async Task On_unreadable_file_fail_fails_the_run_naming_the_file()
    {
        _dir.Write("data/a.csv", "id\n1\n");
        string b = _dir.Write("data/b.csv", "other\n2\n");

        CliResult run = await TestSupport.Sluice.RunAsync("run", Pipeline(", on_unreadable_file: fail"), "--state", _dir.File("state.db"));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"cannot read {b}: it has columns (other) but", run.Stderr);
        AssertNoStackTrace(run);
    }

    [Fact]
    public async Task A_header_naming_a_column_twice_is_an_invalid_pipeline_at_validate_and_run()
    {
        string a = _dir.Write("data/a.csv", "id,name,id\n1,x,2\n");

        CliResult validate = await TestSupport.Sluice.RunAsync("validate", Pipeline());
        CliResult run = await TestSupport.Sluice.RunAsync("run", Pipeline(), "--state", _dir.File("state.db"));
        CliResult renamed = await TestSupport.Sluice.RunAsync("run", Pipeline(", duplicate_columns: rename"), "--state", _dir.File("state.db"));

        Assert.All([validate, run], r => Assert.Equal(2, r.ExitCode));
        Assert.All([validate, run], r => Assert.Contains($"{a} line 1: the header names 'id' (columns 1 and 3) more than once", r.Stderr));
        Assert.All([validate, run], AssertNoStackTrace);
        Assert.Equal(0, renamed.ExitCode);
        Assert.Equal("{\"id\":\"1\",\"name\":\"x\",\"id_2\":\"2\"}", File.ReadLines(Directory.GetFiles(_dir.File("out"), "*.jsonl").Single()).Single());
    }
}
