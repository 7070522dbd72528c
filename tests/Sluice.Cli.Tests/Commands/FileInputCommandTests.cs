using System.Text.RegularExpressions;
using Sluice.Cli.Tests.TestSupport;

namespace Sluice.Cli.Tests.Commands;

/// <summary>
/// What <c>run</c> and <c>show</c> say about input files an earlier run consumed (skipped, or changed since), and
/// how <c>validate</c> and <c>run</c> refuse a sink whose output a source would read back.
/// </summary>
public sealed class FileInputCommandTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _state;

    public FileInputCommandTests() => _state = _dir.File("state/state.db");

    public void Dispose() => _dir.Dispose();

    private string Pipeline(string source, string sink) => _dir.Write("pipeline.yaml", $"""
        name: files
        source:
          type: jsonl
          path: {source}
        sink:
          type: {sink}
          path: data/out
        """);

    [Fact]
    public async Task A_rerun_says_its_input_was_already_consumed_and_show_says_it_too()
    {
        _dir.Write("data/a.jsonl", "{\"id\":1}\n");
        _dir.Write("data/b.jsonl", "{\"id\":2}\n");
        string file = Pipeline("data/*.jsonl", "parquet");
        Assert.Equal(ExitCodes.Ok, (await TestSupport.Sluice.RunAsync("run", file, "--state", _state)).ExitCode);

        CliResult rerun = await TestSupport.Sluice.RunAsync("run", file, "--state", _state);

        Assert.Equal(ExitCodes.Ok, rerun.ExitCode);
        Assert.Contains("in 0 = out 0", rerun.Stdout);
        Assert.Contains("source: 2 input files already consumed, skipped", rerun.Stdout);
        CliResult show = await TestSupport.Sluice.RunAsync("show", RunId(rerun), "--state", _state);
        Assert.Contains("source: 2 input files already consumed, skipped", show.Stdout);
    }

    [Fact]
    public async Task A_file_changed_in_place_is_a_warning_in_the_summary_and_in_show()
    {
        _dir.Write("data/a.jsonl", "{\"id\":1}\n{\"id\":2}\n");
        string file = Pipeline("data/*.jsonl", "parquet");
        await TestSupport.Sluice.RunAsync("run", file, "--state", _state);
        _dir.Write("data/a.jsonl", "{\"id\":3}\n");

        CliResult rerun = await TestSupport.Sluice.RunAsync("run", file, "--state", _state);

        Assert.Equal(ExitCodes.Ok, rerun.ExitCode);
        string warning = Assert.Single(rerun.Stdout.Split('\n'), l => l.StartsWith("warning: source: ", StringComparison.Ordinal));
        Assert.Contains(_dir.File("data/a.jsonl") + " changed since an earlier run consumed it", warning);
        Assert.Contains("on_changed_file: reread", warning);
        CliResult show = await TestSupport.Sluice.RunAsync("show", RunId(rerun), "--state", _state);
        Assert.Contains(warning.TrimEnd(), show.Stdout);
    }

    [Theory]
    [InlineData("validate")]
    [InlineData("run")]
    public async Task A_sink_writing_into_its_sources_glob_is_refused_with_exit_2(string command)
    {
        _dir.Write("data/a.jsonl", "{\"id\":1}\n");
        string file = Pipeline("data/**/*.jsonl", "jsonl");

        CliResult result = await TestSupport.Sluice.RunAsync(command == "run" ? ["run", file, "--state", _state] : ["validate", file]);

        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Contains($"{file}:6:3: sink 'sink' writes its files into data/out (part-….jsonl), and source 'source' reads path: data/**/*.jsonl", result.Stderr);
        Assert.Contains("give the sink a folder outside the source's glob", result.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", result.Stderr);
        Assert.False(Directory.Exists(_dir.File("data/out")));
    }

    [Fact]
    public async Task A_sink_folder_below_a_glob_that_cannot_match_its_files_stays_allowed()
    {
        _dir.Write("data/a.jsonl", "{\"id\":1}\n");
        // data/*.jsonl matches neither data/out/part-….parquet (another depth) nor its extension.
        string file = Pipeline("data/*.jsonl", "parquet");

        Assert.Equal(ExitCodes.Ok, (await TestSupport.Sluice.RunAsync("validate", file)).ExitCode);
        Assert.Equal(ExitCodes.Ok, (await TestSupport.Sluice.RunAsync("run", file, "--state", _state)).ExitCode);
    }

    [Fact]
    public async Task A_source_that_excludes_the_sinks_folder_is_allowed_and_never_reads_its_output()
    {
        _dir.Write("data/a.jsonl", "{\"id\":1}\n");
        string file = _dir.Write("pipeline.yaml", """
            name: files
            source:
              type: jsonl
              path: data/**/*.jsonl
              exclude: [data/out/**]
            sink:
              type: jsonl
              path: data/out
            """);

        Assert.Equal(ExitCodes.Ok, (await TestSupport.Sluice.RunAsync("validate", file)).ExitCode);
        Assert.Equal(ExitCodes.Ok, (await TestSupport.Sluice.RunAsync("run", file, "--state", _state)).ExitCode);
        CliResult rerun = await TestSupport.Sluice.RunAsync("run", file, "--state", _state);

        Assert.Contains("in 0 = out 0", rerun.Stdout);
        Assert.Single(Directory.GetFiles(_dir.File("data/out"), "*.jsonl"));
    }

    [Fact]
    public async Task Two_sinks_writing_one_folder_are_refused_with_exit_2()
    {
        _dir.Write("data/a.jsonl", "{\"id\":1}\n");
        string file = _dir.Write("pipeline.yaml", """
            name: files
            stages:
              - name: read
                source: { type: jsonl, path: data/*.jsonl }
              - name: one
                from: read
                sink: { type: jsonl, path: out }
              - name: two
                from: read
                sink: { type: parquet, path: ./out/ }
            """);

        CliResult result = await TestSupport.Sluice.RunAsync("validate", file);

        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Contains("sinks 'one' (path: out) and 'two' (path: ./out/) write into one folder", result.Stderr);
        Assert.Contains("give each sink its own folder", result.Stderr);
    }

    private static string RunId(CliResult run) => Regex.Match(run.Stdout, @"run (\d{8}-\d{6}-[0-9a-f]{6}) succeeded").Groups[1].Value;
}
