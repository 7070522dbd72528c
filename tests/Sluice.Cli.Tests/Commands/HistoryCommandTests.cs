using System.Text.RegularExpressions;
using Sluice.Cli.Tests.TestSupport;
using Sluice.DeadLetters;
using Sluice.Pipelines;
using Sluice.Records;
using Sluice.State;
using Sluice.State.Sqlite;

namespace Sluice.Cli.Tests.Commands;

/// <summary><c>runs</c>, <c>show</c> and <c>dlq</c> against a real SQLite state file filled through <see cref="IStateStore"/>.</summary>
public sealed class HistoryCommandTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private string _state = "";
    private RunRecord _failed = null!;
    private RunRecord _succeeded = null!;
    private long _parseLetter;
    private long _contractLetter;

    public async Task InitializeAsync()
    {
        _state = _dir.File("state.db");
        await using SqliteStateStore store = await SqliteStateStore.OpenAsync(_state);

        _succeeded = await store.StartRunAsync("orders");
        // Committing a checkpoint saves its (here empty) counts as the run's: the counts below come after.
        Lease lease = await store.AcquireLeaseAsync("orders", "test", TimeSpan.FromMinutes(1));
        for (int id = 1; id <= 2; id++)
        {
            await store.CommitCheckpointAsync(lease, new CheckpointRecord(_succeeded.Id, id, new DateTimeOffset(2026, 11, 23, 10, 0, id, TimeSpan.Zero),
                TimeSpan.FromMilliseconds(40 * id), 10_000 * id, new Dictionary<string, string>(), new Dictionary<string, byte[]>(),
                new Dictionary<string, string>(), [], [], []), []);
        }
        await store.SaveStageCountsAsync(_succeeded.Id,
        [
            new("read", StageKind.Source, 20_050, 20_049, 0, 1, TimeSpan.FromMilliseconds(800)),
            new("checks", StageKind.Contract, 20_049, 20_010, 0, 39, TimeSpan.FromMilliseconds(300)),
            new("keep", StageKind.Transform, 20_010, 19_990, 20, 0, TimeSpan.FromMilliseconds(100)),
            new("out", StageKind.Sink, 19_990, 19_990, 0, 0, TimeSpan.FromMilliseconds(900))
            {
                Retries = 12, Timeouts = 3, CircuitOpenings = 1, CircuitClosings = 1,
            },
        ]);
        await store.AddDeadLettersAsync(_succeeded.Id, "orders",
        [
            new("read", OriginViews.FileOrigin("/data/orders/a.csv", 8812, new byte[] { (byte)'1', (byte)',', 0xFF, (byte)'\n' }),
                DeadLetterReason.Parse, null, "field_count", "expected 3 fields, found 2"),
            new("checks", OriginViews.FileOrigin("/data/orders/a.csv", 9000, "7,-5,\u001bx"u8.ToArray()),
                DeadLetterReason.Contract, "amount", "min", "amount -5 is below the minimum 0"),
        ]);
        await store.FinishRunAsync(_succeeded.Id, RunState.Succeeded, new RunTotals(20_050, 19_990, 20, 40), null);

        _failed = await store.StartRunAsync("clicks");
        await store.FinishRunAsync(_failed.Id, RunState.Failed, new RunTotals(10, 0, 0, 0), "sink out: disk full");

        IReadOnlyList<StoredDeadLetter> letters = await store.ListDeadLettersAsync(new DeadLetterQuery());
        _parseLetter = letters.Single(d => d.Reason == DeadLetterReason.Parse).Id;
        _contractLetter = letters.Single(d => d.Reason == DeadLetterReason.Contract).Id;
    }

    public Task DisposeAsync()
    {
        _dir.Dispose();
        return Task.CompletedTask;
    }

    private Task<CliResult> Sluice(params string[] args) => TestSupport.Sluice.RunAsync([.. args, "--state", _state]);

    private static string Row(string output, string contains) =>
        output.Split('\n').Single(line => line.Contains(contains, StringComparison.Ordinal));

    private static string[] Cells(string row) =>
        row.Split('│', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task Runs_lists_every_run_newest_first_with_its_totals()
    {
        CliResult result = await Sluice("runs");

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.True(result.Stdout.IndexOf(_failed.Id, StringComparison.Ordinal) < result.Stdout.IndexOf(_succeeded.Id, StringComparison.Ordinal));
        string[] cells = Cells(Row(result.Stdout, _succeeded.Id));
        Assert.Equal([_succeeded.Id, "orders", "pipeline", "succeeded"], cells[..4]);
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", cells[4]);
        Assert.Equal(["20,050", "19,990", "20,000", "20", "40"], cells[6..]); // published: its last checkpoint's records
        Assert.Equal("failed", Cells(Row(result.Stdout, _failed.Id))[3]);
    }

    [Fact]
    public async Task Runs_filters_by_pipeline_and_limits()
    {
        CliResult orders = await Sluice("runs", "--pipeline", "orders");
        CliResult newest = await Sluice("runs", "--limit", "1");
        CliResult none = await Sluice("runs", "--pipeline", "nope");

        Assert.Contains(_succeeded.Id, orders.Stdout);
        Assert.DoesNotContain(_failed.Id, orders.Stdout);
        Assert.Contains(_failed.Id, newest.Stdout);
        Assert.DoesNotContain(_succeeded.Id, newest.Stdout);
        Assert.Equal((ExitCodes.Ok, "no runs of pipeline 'nope'"), (none.ExitCode, none.Stdout.Trim()));
    }

    [Fact]
    public async Task Show_finds_a_run_by_unique_prefix_and_prints_its_stages_and_totals()
    {
        string prefix = _succeeded.Id[..^2];
        CliResult result = await Sluice("show", prefix);

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Matches($@"(?m)^run\s+{_succeeded.Id}\s*$", result.Stdout);
        Assert.Matches(@"(?m)^state\s+succeeded\s*$", result.Stdout);
        Assert.Contains("in 20,050 = out 19,990 + dead 40 + filtered 20", result.Stdout);
        Assert.Equal(["keep", "transform", "20,010", "19,990", "20", "0", "100 ms", "✓"], Cells(Row(result.Stdout, "keep")));
        Assert.Contains($"sluice dlq list --run {_succeeded.Id}", result.Stdout);
        Assert.Equal(["2", "2026-11-23 10:00:02", "20,000", "80 ms"], Cells(Row(result.Stdout, "10:00:02")));
        Assert.Contains("checkpoints 2; each took 40 ms to 80 ms from request to publication", result.Stdout);
        Assert.Contains("stage out: 12 retries, 3 timeouts, circuit opened 1× and closed 1×", result.Stdout);
        Assert.DoesNotContain("stage keep:", result.Stdout);
    }

    [Fact]
    public async Task Show_prints_the_error_of_a_failed_run()
    {
        CliResult result = await Sluice("show", _failed.Id);

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Matches(@"(?m)^state\s+failed\s*$", result.Stdout);
        Assert.Contains("error: sink out: disk full", result.Stdout);
    }

    [Fact]
    public async Task Show_of_an_unknown_run_exits_4()
    {
        CliResult result = await Sluice("show", "19990101");

        Assert.Equal(ExitCodes.NotFound, result.ExitCode);
        Assert.Contains("no run has the id '19990101', and no single run starts with it", result.Stderr);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task Dlq_list_shows_each_dead_letter_newest_first()
    {
        CliResult result = await Sluice("dlq", "list");

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Equal(
            [_contractLetter.ToString(), _succeeded.Id, "checks", "contract", "amount", "min", "a.csv:9000", "1", "amount -5 is below the minimum 0"],
            Cells(Row(result.Stdout, "a.csv:9000")));
        Assert.Equal(
            [_parseLetter.ToString(), _succeeded.Id, "read", "parse", "field_count", "a.csv:8812", "1", "expected 3 fields, found 2"],
            Cells(Row(result.Stdout, "a.csv:8812")));
        Assert.True(result.Stdout.IndexOf("a.csv:9000", StringComparison.Ordinal) < result.Stdout.IndexOf("a.csv:8812", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("--reason", "contract")]
    [InlineData("--reason", "CONTRACT")]
    [InlineData("--stage", "checks")]
    public async Task Dlq_list_filters(string option, string value)
    {
        CliResult result = await Sluice("dlq", "list", option, value);

        Assert.Contains("a.csv:9000", result.Stdout);
        Assert.DoesNotContain("a.csv:8812", result.Stdout);
    }

    [Fact]
    public async Task Dlq_list_since_keeps_the_letters_stored_since_a_time_or_a_duration_ago()
    {
        CliResult recent = await Sluice("dlq", "list", "--since", "1h");
        CliResult today = await Sluice("dlq", "list", "--since", DateTimeOffset.UtcNow.AddMinutes(-5).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
        CliResult future = await Sluice("dlq", "list", "--since", DateTimeOffset.UtcNow.AddDays(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(2, Regex.Count(recent.Stdout, "a\\.csv:"));
        Assert.Equal(2, Regex.Count(today.Stdout, "a\\.csv:"));
        Assert.Equal("no dead letters", future.Stdout.Trim());
    }

    [Fact]
    public async Task Dlq_list_takes_a_run_prefix_and_rejects_an_unknown_run()
    {
        CliResult byPrefix = await Sluice("dlq", "list", "--run", _succeeded.Id[..^1]);
        CliResult ofFailed = await Sluice("dlq", "list", "--run", _failed.Id);
        CliResult unknown = await Sluice("dlq", "list", "--run", "nope");

        Assert.Equal(2, Regex.Count(byPrefix.Stdout, "a\\.csv:"));
        Assert.Equal((ExitCodes.Ok, "no dead letters"), (ofFailed.ExitCode, ofFailed.Stdout.Trim()));
        Assert.Equal(ExitCodes.NotFound, unknown.ExitCode);
    }

    [Fact]
    public async Task Dlq_show_prints_every_field_and_the_bytes_with_a_hex_dump_when_not_utf8()
    {
        CliResult result = await Sluice("dlq", "show", _parseLetter.ToString());

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Matches(@"(?m)^input\s+/data/orders/a\.csv\s*$", result.Stdout);
        Assert.Matches(@"(?m)^position\s+8812\s*$", result.Stdout);
        Assert.Matches(@"(?m)^reason\s+parse\s*$", result.Stdout);
        Assert.Matches(@"(?m)^rule\s+field_count\s*$", result.Stdout);
        Assert.Contains("original (4 bytes):", result.Stdout);
        Assert.Contains(@"  1,\xff\n", result.Stdout);
        Assert.Contains("00000000  31 2c ff 0a", result.Stdout);
    }

    [Fact]
    public async Task Dlq_show_of_valid_utf8_has_no_hex_dump()
    {
        CliResult result = await Sluice("dlq", "show", _contractLetter.ToString());

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Matches(@"(?m)^field\s+amount\s*$", result.Stdout);
        Assert.Contains(@"  7,-5,\x1bx", result.Stdout);
        Assert.DoesNotContain("00000000", result.Stdout);
    }

    [Fact]
    public async Task Dlq_purge_says_how_many_would_go_and_deletes_only_with_yes()
    {
        CliResult preview = await Sluice("dlq", "purge", "--pipeline", "orders", "--reason", "parse");
        CliResult purged = await Sluice("dlq", "purge", "--pipeline", "orders", "--reason", "parse", "--yes");
        CliResult left = await Sluice("dlq", "list", "--pipeline", "orders");

        Assert.Equal((ExitCodes.Ok, "1 dead letters match; nothing deleted (add --yes to delete them)"), (preview.ExitCode, preview.Stdout.Trim()));
        Assert.Equal((ExitCodes.Ok, "purged 1 dead letters"), (purged.ExitCode, purged.Stdout.Trim()));
        Assert.Contains("contract", left.Stdout);
        Assert.DoesNotContain("field_count", left.Stdout);
    }

    [Fact]
    public async Task Dlq_purge_needs_a_pipeline()
    {
        CliResult result = await Sluice("dlq", "purge", "--yes");

        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Contains("--pipeline", result.Stderr);
    }

    [Fact]
    public async Task Dlq_show_of_an_unknown_id_exits_4()
    {
        CliResult result = await Sluice("dlq", "show", "987654");

        Assert.Equal(ExitCodes.NotFound, result.ExitCode);
        Assert.Contains("no dead letter has the id 987654", result.Stderr);
    }
}
