using Apache.Arrow;
using Apache.Arrow.Types;
using Sluice.Cli.Tests.TestSupport;
using Sluice.Extensibility;
using Sluice.Redis.Sink;
using Sluice.Redis.Tests.TestSupport;
using StackExchange.Redis;

namespace Sluice.Redis.Tests.Sink;

public sealed class StreamSinkTests(RedisFixture fixture) : RedisTest(fixture)
{
    private string Target { get; } = "clean-" + Guid.NewGuid().ToString("N")[..8];

    private string StreamToStream(long everyRecords) => Dir.Write("copy.yaml", $$"""
        name: redis-copy
        source:
          type: redis_stream
          connection: "{{Fixture.Server.ConnectionString}}"
          streams: [{{Stream}}]
          group: loaders
          batch_size: 50
        contract:
          fields:
            id: { type: int64, required: true }
            name: { type: string }
        sink:
          type: redis_stream
          connection: "{{Fixture.Server.ConnectionString}}"
          stream: {{Target}}
        checkpoint:
          every_records: {{everyRecords}}
          every_seconds: 0
        """);

    private async Task<List<(long Id, string Origin)>> TargetEntriesAsync() =>
        (await Db.StreamRangeAsync(Target)).Select(e => ((long)e["id"], (string)e["sluice_id"]!)).ToList();

    [Fact]
    public async Task Records_are_appended_once_with_an_id_field_from_their_origin()
    {
        await AddAsync(1, 300);

        var run = await Cli.Tests.TestSupport.Sluice.RunAsync("run", StreamToStream(100), "--state", State);

        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        var entries = await TargetEntriesAsync();
        AssertExactlyOnce(Enumerable.Range(1, 300).Select(i => (long)i), entries.Select(e => e.Id).ToList());
        Assert.Equal(entries.Select(e => e.Id), entries.Select(e => e.Id).Order()); // in record order
        Assert.All(entries, e => Assert.StartsWith($"{Stream}:", e.Origin));
        Assert.Equal(300, entries.Select(e => e.Origin).Distinct().Count());
        Assert.Empty(await StagingKeysAsync());
    }

    [Fact]
    public async Task Lineage_names_each_stream_by_server_and_key()
    {
        await AddAsync(1, 10);

        var run = await Cli.Tests.TestSupport.Sluice.RunAsync("run", StreamToStream(100), "--state", State, "--lineage", Dir.File("events.jsonl"));

        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        var complete = System.Text.Json.JsonDocument.Parse(File.ReadAllLines(Dir.File("events.jsonl"))[1]).RootElement;
        string Named(string side) => $"{complete.GetProperty(side)[0].GetProperty("namespace").GetString()} {complete.GetProperty(side)[0].GetProperty("name").GetString()}";
        Assert.Equal($"redis://{Fixture.Server.ConnectionString} {Stream}", Named("inputs"));
        Assert.Equal($"redis://{Fixture.Server.ConnectionString} {Target}", Named("outputs"));
    }

    [Fact]
    public async Task A_run_killed_after_a_checkpoint_was_stored_appends_each_record_once_after_resuming()
    {
        await AddAsync(1, 1000);
        string pipeline = StreamToStream(100);

        var killed = await SluiceProcess.RunAsync(new Dictionary<string, string> { ["SLUICE_CRASH_AT"] = "after-store-commit:4" },
            "run", pipeline, "--state", State);
        Assert.Contains("SLUICE_CRASH_AT", killed.Stderr);
        var resumed = await Cli.Tests.TestSupport.Sluice.RunAsync("run", pipeline, "--state", State);

        Assert.True(resumed.ExitCode == 0, resumed.Stderr + resumed.Stdout);
        AssertExactlyOnce(Enumerable.Range(1, 1000).Select(i => (long)i), (await TargetEntriesAsync()).Select(e => e.Id).ToList());
        Assert.Equal(0, await PendingAsync());
        Assert.Empty(await StagingKeysAsync());
    }

    [Fact]
    public async Task A_token_committed_twice_or_after_a_commit_cut_short_adds_each_entry_once()
    {
        await using var sink = NewSink(chunkSize: 10);
        await sink.WriteAsync(Ids(1, 35), null!, CancellationToken.None);
        var prepared = await sink.PrepareAsync(CancellationToken.None);

        Assert.False(await sink.CommitChunkAsync(prepared.Token, CancellationToken.None)); // the process "dies" here
        Assert.Equal(10, await Db.StreamLengthAsync(Target));

        await using (var resumed = NewSink(chunkSize: 10))
        {
            await resumed.CommitAsync(prepared.Token, CancellationToken.None);
            await resumed.CommitAsync(prepared.Token, CancellationToken.None);
        }
        await sink.CommitAsync(prepared.Token, CancellationToken.None);

        var ids = (await Db.StreamRangeAsync(Target)).Select(e => (long)e["id"]).ToList();
        Assert.Equal(Enumerable.Range(1, 35).Select(i => (long)i), ids);
        Assert.True(await Db.KeyExistsAsync("sluice:committed:" + prepared.Token));
        Assert.False(await Db.KeyExistsAsync(prepared.Token));
    }

    [Fact]
    public async Task Discarding_an_abandoned_run_deletes_its_staging_lists_only()
    {
        await using var dead = NewSink(chunkSize: 10, run: "dead-run");
        await dead.WriteAsync(Ids(1, 5), null!, CancellationToken.None);
        var abandoned = await dead.PrepareAsync(CancellationToken.None);
        await using var live = NewSink(chunkSize: 10, run: "live-run");
        await live.WriteAsync(Ids(6, 5), null!, CancellationToken.None);
        var kept = await live.PrepareAsync(CancellationToken.None);

        await live.DiscardAbandonedAsync("dead-run", CancellationToken.None);

        Assert.False(await Db.KeyExistsAsync(abandoned.Token));
        Assert.True(await Db.KeyExistsAsync(kept.Token));
    }

    private RedisStreamSink NewSink(int chunkSize, string run = "run-1")
    {
        var options = new RedisStreamSinkOptions { Connection = Fixture.Server.ConnectionString, Stream = Target };
        var context = new BuildContext(Dir.Path, run) { PipelineName = "p-" + Target, StageName = "sink" };
        var connection = RedisConnection.TryParse(Fixture.Server.ConnectionString, out _)!;
        return new RedisStreamSink(options, connection, Schema, context) { ChunkSize = chunkSize };
    }

    private static readonly Schema Schema = new([new Field("id", Int64Type.Default, nullable: false)], null);

    private static Batch Ids(int from, int count)
    {
        var ids = new Int64Array.Builder().AppendRange(Enumerable.Range(from, count).Select(i => (long)i)).Build();
        return new Batch(new RecordBatch(Schema, [ids], count), new RowOrigins(new Rows(from, count)));
    }

    private sealed class Rows(int from, int count) : IOriginalRows
    {
        public string Input => "test";
        public int Count => count;
        public string Position(int index) => (from + index).ToString(System.Globalization.CultureInfo.InvariantCulture);
        public ReadOnlyMemory<byte> Bytes(int index) => System.Array.Empty<byte>();
    }

    private async Task<List<RedisKey>> StagingKeysAsync()
    {
        var server = Fixture.Client.GetServers()[0];
        var keys = new List<RedisKey>();
        await foreach (var key in server.KeysAsync(pattern: "sluice:staging:redis-copy:*"))
        {
            keys.Add(key);
        }
        return keys;
    }
}
