using Apache.Arrow;
using Apache.Arrow.Types;
using Sluice.Postgres.Tests.TestSupport;

namespace Sluice.Postgres.Tests.Sink;

/// <summary>Exactly once across <c>kill -9</c>: the run is killed at the engine's crash points (SLUICE_CRASH_AT) and the
/// next <c>sluice run</c> resumes it; every order must be in the table once, and no staging table left.</summary>
public sealed class CrashTests(PostgresFixture fixture) : PostgresTest(fixture)
{
    private const int Files = 6;
    private const int PerFile = 1_000;

    /// <summary>Six files of 1,000 orders; a checkpoint after each file (a batch never spans two files).</summary>
    private async Task<string> OrdersPipelineAsync(string mode = "append")
    {
        await ExecuteAsync("CREATE TABLE orders (id bigint PRIMARY KEY, customer text, amount numeric(12,2), placed timestamptz)");
        for (int f = 0; f < Files; f++)
        {
            Dir.Write($"in/{f}.csv", Orders(1 + f * PerFile, PerFile));
        }
        string key = mode == "upsert" ? "\n  key: [id]" : "";
        return Pipeline($$"""
            name: crash
            checkpoint: { every_records: {{PerFile}} }
            source: { type: csv, path: "in/*.csv" }
            {{OrdersContract}}
            sink:
              type: postgres
              connection: "{{Connection}}"
              table: orders
              mode: {{mode}}{{key}}
            """);
    }

    private async Task AssertEachOrderOnceAsync()
    {
        Assert.Equal(Files * PerFile, await CountAsync("orders"));
        Assert.Equal(Files * PerFile, await ScalarAsync<long>("SELECT count(DISTINCT id) FROM orders"));
        Assert.Equal((long)Files * PerFile * (Files * PerFile + 1) / 2, await ScalarAsync<long>("SELECT sum(id)::bigint FROM orders"));
        Assert.Equal(0, await StagingTablesAsync());
    }

    [Theory]
    [InlineData("append")]
    [InlineData("upsert")]
    public async Task Killed_after_the_checkpoint_is_stored_but_before_the_table_commit_the_resumed_run_writes_each_row_once(string mode)
    {
        string pipeline = await OrdersPipelineAsync(mode);

        await RunKilledAtAsync("after-store-commit:3", pipeline);

        Assert.Equal(2 * PerFile, await CountAsync("orders")); // checkpoints 1 and 2 published, 3 stored and staged
        Assert.InRange(await StagingTablesAsync(), 1, 8); // 3, and the later ones prepared while it committed

        var resumed = await SluiceAsync("run", pipeline);

        Assert.True(resumed.ExitCode == 0, resumed.Stdout + resumed.Stderr);
        Assert.Contains("resuming run", resumed.Stdout);
        await AssertEachOrderOnceAsync();
    }

    [Fact]
    public async Task Killed_after_the_sink_prepared_but_before_the_state_commit_nothing_of_that_checkpoint_reaches_the_table_twice()
    {
        string pipeline = await OrdersPipelineAsync();

        await RunKilledAtAsync("after-prepare:3", pipeline);

        Assert.Equal(2 * PerFile, await CountAsync("orders"));
        Assert.InRange(await StagingTablesAsync(), 1, 8); // prepared, but no checkpoint names them

        var resumed = await SluiceAsync("run", pipeline);

        Assert.True(resumed.ExitCode == 0, resumed.Stdout + resumed.Stderr);
        await AssertEachOrderOnceAsync();
    }

    [Fact]
    public async Task Killed_again_while_resuming_the_next_run_still_writes_each_row_once()
    {
        string pipeline = await OrdersPipelineAsync();
        await RunKilledAtAsync("after-store-commit:2", pipeline);

        await RunKilledAtAsync("during-resume", pipeline);

        Assert.Equal(2 * PerFile, await CountAsync("orders")); // the resume published checkpoint 2, then died
        var resumed = await SluiceAsync("run", pipeline);
        Assert.True(resumed.ExitCode == 0, resumed.Stdout + resumed.Stderr);
        await AssertEachOrderOnceAsync();
    }

    [Fact]
    public async Task Committing_the_same_token_twice_writes_its_rows_once()
    {
        string pipeline = await OrdersPipelineAsync();
        await RunKilledAtAsync("after-store-commit:2", pipeline);
        string runId;
        string token;
        await using (var store = await SqliteStateStore.OpenAsync(State))
        {
            runId = (await store.FindLatestRunAsync("crash", "pipeline"))!.Id;
            token = (await store.GetLatestCheckpointAsync(runId))!.SinkTokens["sink"];
        }
        Assert.StartsWith("sluice_stage_", token);
        var options = new PostgresSinkOptions { Connection = Direct, Table = "orders" };
        var input = new Schema([
            new Field("id", Int64Type.Default, true), new Field("customer", StringType.Default, true),
            new Field("amount", new Decimal128Type(28, 2), true), new Field("placed", new TimestampType(TimeUnit.Microsecond, "UTC"), true)], null);

        long staged = await StagingTablesAsync();
        await using (var sink = options.CreateSink(input, new BuildContext(Dir.Path, runId) { PipelineName = "crash", StageName = "sink" }))
        {
            await sink.CommitAsync(token, CancellationToken.None);
            Assert.Equal(2 * PerFile, await CountAsync("orders"));
            await sink.CommitAsync(token, CancellationToken.None);
            Assert.Equal(2 * PerFile, await CountAsync("orders"));
            Assert.Equal(staged - 1, await StagingTablesAsync()); // its own is dropped; later units' stay for the resume to discard
        }
        var resumed = await SluiceAsync("run", pipeline); // commits it a third time, then goes on
        Assert.True(resumed.ExitCode == 0, resumed.Stdout + resumed.Stderr);
        await AssertEachOrderOnceAsync();
    }

    [Fact]
    public async Task A_fresh_run_after_a_crash_publishes_the_stored_checkpoint_and_drops_the_rest()
    {
        string pipeline = await OrdersPipelineAsync();
        // --fresh reads again what the old run had not finished, so some orders arrive twice: no primary key here.
        await ExecuteAsync("ALTER TABLE orders DROP CONSTRAINT orders_pkey");
        await RunKilledAtAsync("after-store-commit:3", pipeline);

        var fresh = await SluiceAsync("run", pipeline, "--fresh");

        Assert.True(fresh.ExitCode == 0, fresh.Stdout + fresh.Stderr);
        Assert.Equal(Files * PerFile, await ScalarAsync<long>("SELECT count(DISTINCT id) FROM orders")); // checkpoint 3 published too
        Assert.Equal(0, await StagingTablesAsync());
    }
}
