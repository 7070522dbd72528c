using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;
using ParquetSharp;
using Sluice.Cli.Tests.TestSupport;
using Sluice.ServiceFixtures;
using Sluice.Services.Tests.Outages;

namespace Sluice.Services.Tests.Examples;

/// <summary>
/// examples/clickstream run as its README says, against private servers instead of examples/services.sh's: its
/// produce.sh adds events to the Redis stream, its pipeline.yaml (a copy, unchanged, so its state and out/ are in a
/// temp folder) is run bounded with the connection set by the environment variables the example documents, and the
/// table, the Parquet files and the dead-letter queue are checked against what the producer says it added.
/// </summary>
public sealed partial class ClickstreamExampleTests(RedisAndPostgres servers) : IClassFixture<RedisAndPostgres>, IDisposable
{
    private static readonly string Example = Path.Combine(RepositoryRoot(), "examples", "clickstream");

    private readonly Sluice.Tests.TestSupport.TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Produced_events_land_once_in_the_table_and_the_parquet_files_and_the_bad_ones_in_the_dead_letter_queue()
    {
        string pipeline = Path.Combine(_dir.Path, "pipeline.yaml");
        File.Copy(Path.Combine(Example, "pipeline.yaml"), pipeline);

        Produced first = await ProduceAsync(3000);
        Assert.Equal((1, 3000), (first.FirstId, first.LastId));
        Assert.True(first.Nan > 0 && first.NoUser > 0 && first.BadCountry > 0, $"every kind of bad event is planted: {first}");
        await RunAsync(pipeline, first);
        await AssertLandedAsync(first.Good, first.Bad);
        // The nightly export, as the README sets it up: the table's primary key once, then export.yaml.
        await ExecuteAsync("ALTER TABLE clicks ADD PRIMARY KEY (event_id)");
        string export = Path.Combine(_dir.Path, "export.yaml");
        File.Copy(Path.Combine(Example, "export.yaml"), export);
        Assert.Equal(first.Good, await ExportAsync(export));

        Produced second = await ProduceAsync(2000);
        Assert.Equal((3001, 5000), (second.FirstId, second.LastId)); // numbered on from the stream's last entry
        await RunAsync(pipeline, second);
        await AssertLandedAsync(first.Good + second.Good, first.Bad + second.Bad);
        Assert.Equal(first.Good + second.Good, await ExportAsync(export)); // only the new rows were added
        Assert.Equal(first.Good + second.Good, await ExportAsync(export)); // nothing new: nothing written

        var dead = await DeadLettersAsync();
        Assert.Equal(first.Nan + second.Nan, dead.Count(d => d is { Reason: "parse", Field: "duration_ms", Rule: "type" }));
        Assert.Equal(first.NoUser + second.NoUser, dead.Count(d => d is { Reason: "contract", Field: "user_id", Rule: "required" }));
        Assert.Equal(first.BadCountry + second.BadCountry, dead.Count(d => d is { Reason: "contract", Field: "country", Rule: "pattern" }));
        // A dead letter keeps the entry's original fields.
        string original = await OriginalAsync(dead.First(d => d.Field == "duration_ms").Id);
        Assert.Contains("\"duration_ms\":\"NaN\"", original);
        Assert.Contains("\"event_id\":", original);
    }

    private sealed record Produced(int FirstId, int LastId, int Good, int Nan, int NoUser, int BadCountry)
    {
        public int Bad => Nan + NoUser + BadCountry;
    }

    private sealed record DeadLetter(string Id, string Reason, string? Field, string? Rule);

    private Dictionary<string, string> Settings => new()
    {
        ["REDIS"] = servers.Redis.ConnectionString,
        ["PGHOST"] = servers.Postgres.Host,
        ["PGPORT"] = servers.Postgres.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["PGDATABASE"] = PostgresServer.Database,
        ["PGUSER"] = PostgresServer.User,
        ["PGPASSWORD"] = servers.Postgres.Password,
    };

    /// <summary>Runs produce.sh as a user would and reads what it says it added from its last line.</summary>
    private async Task<Produced> ProduceAsync(int count)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in (string[])[Path.Combine(Example, "produce.sh"), "--count", count.ToString(System.Globalization.CultureInfo.InvariantCulture)])
            start.ArgumentList.Add(arg);
        start.Environment["REDIS"] = servers.Redis.ConnectionString;
        using var process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        string output = await stdout + await stderr;
        Assert.True(process.ExitCode == 0, $"produce.sh exited {process.ExitCode}:\n{output}");
        var line = ProducedLine().Match(output);
        Assert.True(line.Success, output);
        int Number(string group) => int.Parse(line.Groups[group].Value, System.Globalization.CultureInfo.InvariantCulture);
        var produced = new Produced(Number("first"), Number("last"), Number("good"), Number("nan"), Number("no_user"), Number("country"));
        Assert.Equal(count, produced.Good + produced.Bad);
        Assert.Equal(produced.Bad, Number("bad"));
        return produced;
    }

    [GeneratedRegex(@"produced \d+ events \(event_id (?<first>\d+)\.\.(?<last>\d+)\) into stream clicks at [^:]+:\d+: (?<good>\d+) good, (?<bad>\d+) bad \((?<nan>\d+) duration_ms NaN, (?<no_user>\d+) without user_id, (?<country>\d+) country \?\?\)")]
    private static partial Regex ProducedLine();

    /// <summary>`sluice run pipeline.yaml`, bounded: it reads what the stream holds and ends, each sink balancing.</summary>
    private async Task RunAsync(string pipeline, Produced produced)
    {
        var result = await SluiceProcess.RunAsync(Settings, "run", pipeline);
        string output = result.Stdout + result.Stderr;
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}\n{output}");
        foreach (string sink in (string[])["table", "files"])
            Assert.Contains($"sink {sink}: in {produced.Good + produced.Bad:N0} = out {produced.Good:N0} + dead {produced.Bad:N0} + filtered 0", output);
        Assert.DoesNotContain("expectation", output); // the events are fresh: freshness(ts) holds
        Assert.DoesNotContain(servers.Postgres.Password, output);
    }

    /// <summary>Runs export.yaml; returns the distinct event_ids in all its Parquet files, after checking there are
    /// as many rows (none exported twice).</summary>
    private async Task<long> ExportAsync(string export)
    {
        var result = await SluiceProcess.RunAsync(Settings, "run", export);
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}\n{result.Stdout}{result.Stderr}");
        var ids = new List<long>();
        foreach (string file in Directory.GetFiles(Path.Combine(_dir.Path, "out", "export"), "*.parquet"))
        {
            using var parquet = new ParquetFileReader(file);
            int column = parquet.FileMetaData.Schema.ColumnIndex("event_id");
            for (int group = 0; group < parquet.FileMetaData.NumRowGroups; group++)
            {
                using var rows = parquet.RowGroup(group);
                using var reader = rows.Column(column).LogicalReader<long?>();
                ids.AddRange(reader.ReadAll(checked((int)rows.MetaData.NumRows)).Select(id => id!.Value));
            }
        }
        Assert.Equal(ids.Count, ids.Distinct().Count());
        return ids.Count;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(servers.Postgres.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private async Task AssertLandedAsync(int good, int bad)
    {
        await using var connection = new NpgsqlConnection(servers.Postgres.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*), count(DISTINCT event_id), count(*) FILTER (WHERE section IS NULL OR day IS NULL OR is_bounce IS NULL) FROM clicks", connection);
        await using (var reader = await command.ExecuteReaderAsync())
        {
            Assert.True(await reader.ReadAsync());
            Assert.Equal((good, good, 0L), (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2)));
        }

        long parquetRows = 0;
        foreach (string file in Directory.GetFiles(Path.Combine(_dir.Path, "out", "clicks"), "*.parquet"))
        {
            using var parquet = new ParquetFileReader(file);
            parquetRows += parquet.FileMetaData.NumRows;
        }
        Assert.Equal(good, parquetRows);
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir.Path, "out", "clicks"), "*.inprogress*"));

        Assert.Equal(bad, (await DeadLettersAsync()).Count);
    }

    private string State => Path.Combine(_dir.Path, ".sluice", "state.db");

    private async Task<List<DeadLetter>> DeadLettersAsync()
    {
        var result = await SluiceProcess.RunAsync("dlq", "list", "--state", State, "--limit", "100000", "--json");
        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        return json.RootElement.GetProperty("dead_letters").EnumerateArray()
            .Select(d => new DeadLetter(d.GetProperty("id").GetString()!, d.GetProperty("reason").GetString()!,
                d.GetProperty("field").GetString(), d.GetProperty("rule").GetString()))
            .ToList();
    }

    private async Task<string> OriginalAsync(string id)
    {
        var result = await SluiceProcess.RunAsync("dlq", "show", id, "--state", State, "--json");
        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        return json.RootElement.GetProperty("original").GetProperty("text").GetString()!;
    }

    private static string RepositoryRoot()
    {
        string dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "Sluice.slnx")))
            dir = Path.GetDirectoryName(dir) ?? throw new InvalidOperationException("Sluice.slnx not found above " + AppContext.BaseDirectory);
        return dir;
    }
}
