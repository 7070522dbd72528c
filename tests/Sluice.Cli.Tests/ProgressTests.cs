using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Sluice.Cli.Commands;
using Sluice.Cli.Rendering;
using Sluice.Cli.Tests.TestSupport;

namespace Sluice.Cli.Tests;

/// <summary>Progress lines of a run whose stdout is not a terminal: a following run, as systemd or docker runs it,
/// shows life in its log while it runs, not only at its end.</summary>
public sealed class ProgressTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Pipeline()
    {
        _dir.Write("data/a.csv", "id,name\n1,a\n2,b\n3,c\n");
        return _dir.Write("pipeline.yaml", """
            name: follow
            checkpoint: { every_seconds: 0.2 }
            source: { type: csv, path: data/*.csv }
            contract:
              fields:
                id: { type: int64, required: true }
                name: { type: string }
            sink: { type: jsonl, path: out }
            """);
    }

    [Fact]
    public async Task A_following_run_prints_progress_lines_on_stdout_while_it_runs()
    {
        using Process run = SluiceProcess.Start(new Dictionary<string, string>(),
            "run", Pipeline(), "--state", _dir.File("state.db"), "--follow", "--progress-interval", "0.2");
        Task<string> stderr = run.StandardError.ReadToEndAsync();
        try
        {
            string line = await ReadUntilAsync(run.StandardOutput, l => l.StartsWith("progress: 3 records in", StringComparison.Ordinal));

            Assert.False(run.HasExited, "the line must come while the run goes on");
            Assert.Matches(@"^progress: 3 records in, [\d,]+/s, 0 dead, lagging: (none|\w+ \(busy \d+ %\))$", line);
            await StopAsync(run);
        }
        finally
        {
            run.Kill(); // a following run never ends by itself
        }
        Assert.Equal(ExitCodes.Cancelled, run.ExitCode);
        Assert.DoesNotContain("progress:", await stderr);
    }

    [Fact]
    public async Task With_json_progress_lines_go_to_stderr_and_stdout_is_one_document_and_the_next_run_says_it_resumed()
    {
        string pipeline = Pipeline();
        using Process run = SluiceProcess.Start(new Dictionary<string, string>(),
            "run", pipeline, "--state", _dir.File("state.db"), "--follow", "--json", "--progress-interval", "0.2");
        Task<string> stdout = run.StandardOutput.ReadToEndAsync();
        try
        {
            await ReadUntilAsync(run.StandardError, l => l.StartsWith("progress: 3 records in", StringComparison.Ordinal));
            Assert.False(run.HasExited);
            await StopAsync(run);
        }
        finally
        {
            run.Kill();
        }

        Assert.Equal(ExitCodes.Cancelled, run.ExitCode);
        JsonElement summary = JsonSchemas.AssertValid("run", await stdout);
        Assert.Equal(("stopped", 130, 3L), (summary.GetProperty("state").GetString(), summary.GetProperty("exit_code").GetInt32(),
            summary.GetProperty("totals").GetProperty("published").GetInt64()));

        _dir.Write("data/b.csv", "id,name\n4,d\n");
        CliResult resumed = await TestSupport.Sluice.RunAsync("run", pipeline, "--state", _dir.File("state.db"), "--json");
        JsonElement next = JsonSchemas.AssertValid("run", resumed.Stdout);
        Assert.Equal(summary.GetProperty("run_id").GetString(), next.GetProperty("run_id").GetString());
        Assert.Equal(3, next.GetProperty("resumed_from").GetProperty("records_committed").GetInt64());
        Assert.Equal((4L, 4L), (next.GetProperty("totals").GetProperty("read").GetInt64(), next.GetProperty("totals").GetProperty("published").GetInt64()));
        Assert.Contains("resuming run", resumed.Stderr); // the human line, kept off stdout
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("ten")]
    [InlineData("")]
    [InlineData("NaN")]
    [InlineData("86401")]
    [InlineData("100d")]
    public async Task A_negative_unreadable_or_longer_than_a_day_interval_is_bad_usage(string interval)
    {
        CliResult result = await TestSupport.Sluice.RunAsync("run", Pipeline(), "--state", _dir.File("state.db"), "--progress-interval", interval);

        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.StartsWith("error: --progress-interval takes", result.Stderr);
        Assert.False(File.Exists(_dir.File("state.db")), "nothing may run");
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("2.5", 2500)]
    [InlineData("500ms", 500)]
    [InlineData("1m", 60_000)]
    public void Intervals_are_seconds_or_durations(string text, int milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), ProgressIntervalOption.Parse(text));

    [Fact]
    public void The_line_gives_the_rate_over_the_interval_and_the_busiest_stage_of_it()
    {
        var before = new ProgressLine.Snapshot(TimeSpan.FromSeconds(10), 784_567, 2,
            [("source", TimeSpan.FromSeconds(5)), ("contract", TimeSpan.FromSeconds(1)), ("sink", TimeSpan.FromSeconds(9))]);
        var after = new ProgressLine.Snapshot(TimeSpan.FromSeconds(20), 1_234_567, 12,
            [("source", TimeSpan.FromSeconds(11)), ("contract", TimeSpan.FromSeconds(2)), ("sink", TimeSpan.FromSeconds(18.3))]);
        var idle = after with { Elapsed = TimeSpan.FromSeconds(30) };

        Assert.Equal("progress: 1,234,567 records in, 45,000/s, 12 dead, lagging: sink (busy 93 %)", ProgressLine.Format(before, after));
        Assert.Equal("progress: 1,234,567 records in, 0/s, 12 dead, lagging: none", ProgressLine.Format(after, idle));
    }

    private static async Task<string> ReadUntilAsync(StreamReader output, Func<string, bool> wanted)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await output.ReadLineAsync(timeout.Token) is { } line)
        {
            if (wanted(line))
                return line;
        }
        throw new Xunit.Sdk.XunitException("the process ended without printing the line");
    }

    private static async Task StopAsync(Process run)
    {
        using (Process kill = Process.Start("kill", ["-TERM", run.Id.ToString(CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await run.WaitForExitAsync(timeout.Token);
    }
}
