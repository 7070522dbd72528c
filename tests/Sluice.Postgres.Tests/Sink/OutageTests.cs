using Apache.Arrow;
using Apache.Arrow.Types;
using Sluice.Postgres.Tests.TestSupport;

namespace Sluice.Postgres.Tests.Sink;

/// <summary>The server going away: a commit is tried again under the pipeline's retry policy (committing is
/// idempotent), and the data of a stopped server is still there when it comes back.</summary>
public sealed class OutageTests(PostgresFixture fixture) : PostgresTest(fixture)
{
    [Fact]
    public async Task A_commit_while_the_server_restarts_is_retried_and_writes_its_rows_once()
    {
        await ExecuteAsync("CREATE TABLE orders (id bigint PRIMARY KEY, customer text, amount numeric(12,2), placed timestamptz)");
        Dir.Write("in/1.csv", Orders(1, 500));
        string pipeline = Pipeline($$"""
            name: outage
            source: { type: csv, path: "in/*.csv" }
            {{OrdersContract}}
            sink: { type: postgres, connection: "{{Connection}}", table: orders }
            """);
        await RunKilledAtAsync("after-store-commit", pipeline);
        string runId, token;
        await using (var store = await SqliteStateStore.OpenAsync(State))
        {
            runId = (await store.FindLatestRunAsync("outage", "pipeline"))!.Id;
            token = (await store.GetLatestCheckpointAsync(runId))!.SinkTokens["sink"];
        }
        var input = new Schema([
            new Field("id", Int64Type.Default, true), new Field("customer", StringType.Default, true),
            new Field("amount", new Decimal128Type(28, 2), true), new Field("placed", new TimestampType(TimeUnit.Microsecond, "UTC"), true)], null);
        var context = new BuildContext(Dir.Path, runId)
        {
            PipelineName = "outage",
            StageName = "sink",
            Resilience = new ResiliencePolicy { Retry = new RetryPolicy { Attempts = 20, Delay = TimeSpan.FromMilliseconds(250), MaxDelay = TimeSpan.FromSeconds(1) } },
        };
        await using var sink = new PostgresSinkOptions { Connection = Direct, Table = "orders" }.CreateSink(input, context);

        await Server.StopAsync();
        var restart = Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            await Server.StartAgainAsync();
        });
        await sink.CommitAsync(token, CancellationToken.None);
        await restart;
        Npgsql.NpgsqlConnection.ClearAllPools(); // the tests' own pooled connections died with the server

        Assert.Equal(500, await CountAsync("orders"));
        var resumed = await SluiceAsync("run", pipeline);
        Assert.True(resumed.ExitCode == 0, resumed.Stdout + resumed.Stderr);
        Assert.Equal(500, await CountAsync("orders"));
        Assert.Equal(0, await StagingTablesAsync());
    }
}
