using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Sluice.Cli.Tests.TestSupport;
using Sluice.ServiceFixtures;
using StackExchange.Redis;

namespace Sluice.Services.Tests.Outages;

/// <summary>A private Redis and a private PostgreSQL for the outage tests of one class.</summary>
public sealed class RedisAndPostgres : IAsyncLifetime
{
    public RedisServer Redis { get; private set; } = null!;

    public PostgresServer Postgres { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var redis = RedisServer.StartAsync();
        var postgres = PostgresServer.StartAsync();
        (Redis, Postgres) = (await redis, await postgres);
    }

    public async Task DisposeAsync()
    {
        await Redis.DisposeAsync();
        await Postgres.DisposeAsync();
    }
}

/// <summary>
/// A following pipeline that reads click events from a Redis stream into a PostgreSQL table (the clickstream
/// example's shape), a producer adding events the whole time, and helpers to take a server away and check the table
/// holds every event exactly once.
/// </summary>
public abstract class StreamIntoTableTest(RedisAndPostgres servers) : IClassFixture<RedisAndPostgres>, IAsyncLifetime
{
    private const string PasswordVariable = "SLUICE_OUTAGE_PG_PASSWORD";

    protected Sluice.Tests.TestSupport.TempDir Dir { get; } = new();

    protected RedisAndPostgres Servers => servers;

    protected string Stream { get; } = "clicks-" + Guid.NewGuid().ToString("N")[..8];

    protected string Table => Stream.Replace('-', '_');

    private ConnectionMultiplexer _redis = null!;

    public async Task InitializeAsync()
    {
        _redis = await ConnectionMultiplexer.ConnectAsync(servers.Redis.ConnectionString + ",abortConnect=false");
    }

    public async Task DisposeAsync()
    {
        await _redis.DisposeAsync();
        Dir.Dispose();
    }

    /// <summary>The pipeline: the stream → a contract → the table (created), checkpoints every half second, and a
    /// retry policy that outlasts a 10 s outage (<paramref name="attempts"/> tries, waits of at most 1 s).</summary>
    protected string Pipeline(int attempts) => Dir.Write("pipeline.yaml", $$"""
        name: clicks-outage
        source:
          type: redis_stream
          connection: "{{servers.Redis.ConnectionString}}"
          streams: [{{Stream}}]
          group: loaders
          batch_size: 100
        contract:
          fields:
            id: { type: int64, required: true }
            page: { type: string }
        sink:
          type: postgres
          connection: "Host={{servers.Postgres.Host}};Port={{servers.Postgres.Port}};Database={{PostgresServer.Database}};Username={{PostgresServer.User}};Password=${env:{{PasswordVariable}}}"
          table: {{Table}}
          create: true
        checkpoint:
          every_records: 0
          every_seconds: 0.5
        resilience:
          retry: { attempts: {{attempts}}, delay: 250ms, max_delay: 1s }
        """);

    protected Process StartFollowing(string pipeline) =>
        SluiceProcess.Start(new Dictionary<string, string> { [PasswordVariable] = servers.Postgres.Password }, "run", pipeline, "--state", Dir.File("state.db"), "--follow");

    /// <summary>Adds events <paramref name="from"/> … <paramref name="to"/> at about 200 a second, waiting out a
    /// Redis that is away. Entry ids are the events' own (<c>id-0</c>), so a retried XADD whose first answer was lost
    /// with the server is refused instead of adding the event twice.</summary>
    protected async Task ProduceAsync(int from, int to, CancellationToken cancel)
    {
        var db = _redis.GetDatabase();
        for (int id = from; id <= to; id++)
        {
            while (true)
            {
                try
                {
                    await db.StreamAddAsync(Stream, [new("id", id), new("page", $"/p/{id % 37}")], messageId: $"{id}-0");
                    break;
                }
                catch (RedisServerException e) when (e.Message.Contains("equal or smaller", StringComparison.Ordinal))
                {
                    break; // the try whose answer was lost had added it
                }
                catch (Exception e) when (e is RedisException or TimeoutException)
                {
                    await Task.Delay(100, cancel);
                }
            }
            if (id % 10 == 0)
            {
                await Task.Delay(50, cancel);
            }
        }
    }

    /// <summary>Waits until the table holds <paramref name="rows"/> rows (or the timeout passes); returns the count.</summary>
    protected async Task<long> WaitForRowsAsync(long rows, TimeSpan timeout)
    {
        var until = Stopwatch.StartNew();
        long count = 0;
        while (until.Elapsed < timeout)
        {
            count = await CountAsync();
            if (count >= rows)
            {
                return count;
            }
            await Task.Delay(200);
        }
        return count;
    }

    protected async Task<long> CountAsync()
    {
        try
        {
            await using var connection = new NpgsqlConnection(servers.Postgres.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"SELECT count(*) FROM {Table}", connection);
            return (long)(await command.ExecuteScalarAsync())!;
        }
        catch (NpgsqlException)
        {
            return 0; // not created yet, or the server is away
        }
    }

    /// <summary>The table's ids, each as often as it is there.</summary>
    protected async Task<List<long>> IdsAsync()
    {
        NpgsqlConnection.ClearAllPools(); // pooled connections may have died with a stopped server
        await using var connection = new NpgsqlConnection(servers.Postgres.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT id FROM {Table}", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<long>();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetInt64(0));
        }
        return ids;
    }

    protected async Task<long> PendingAsync() => (await _redis.GetDatabase().StreamPendingAsync(Stream, "loaders")).PendingMessageCount;

    /// <summary>Sends SIGTERM (a graceful stop) and waits for the process to end.</summary>
    protected static async Task<(int ExitCode, string Output)> StopAsync(Process run)
    {
        Task<string> stdout = run.StandardOutput.ReadToEndAsync();
        Task<string> stderr = run.StandardError.ReadToEndAsync();
        if (!run.HasExited)
        {
            using (var kill = Process.Start("kill", ["-TERM", run.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await run.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!run.HasExited)
            {
                run.Kill(); // never leave a following run behind
            }
        }
        return (run.ExitCode, await stdout + await stderr);
    }

    protected static void AssertExactlyOnce(int count, List<long> ids)
    {
        var twice = ids.GroupBy(i => i).Where(g => g.Count() > 1).Select(g => g.Key).Take(10).ToList();
        Assert.True(twice.Count == 0, $"written twice: {string.Join(", ", twice)}");
        var missing = Enumerable.Range(1, count).Select(i => (long)i).Except(ids).Take(10).ToList();
        Assert.True(missing.Count == 0, $"missing: {string.Join(", ", missing)}");
        Assert.Equal(count, ids.Count);
    }
}
