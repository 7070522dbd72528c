using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Types;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Sluice.Cli.Tests.TestSupport;
using Sluice.Extensibility;
using Sluice.Nats.Sink;
using Sluice.Nats.Tests.TestSupport;

namespace Sluice.Nats.Tests.Sink;

public sealed class JetStreamSinkTests(NatsFixture fixture) : NatsTest(fixture)
{
    private string TargetStream => "CLEAN_" + Prefix;

    private string TargetSubject => Prefix + "-clean.orders";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Js.CreateStreamAsync(new StreamConfig(TargetStream, [TargetSubject]) { Storage = StreamConfigStorage.File });
    }

    private string StreamToStream(long everyRecords, string sinkExtra = "") => Dir.Write("copy.yaml", $$"""
        name: nats-copy
        source:
          type: nats_jetstream
          url: "{{Fixture.Server.Url}}"
          stream: {{Stream}}
          consumer: copier
          batch_size: 50
        contract:
          fields:
            id: { type: int64, required: true }
            name: { type: string }
        sink:
          type: nats_jetstream
          url: "{{Fixture.Server.Url}}"
          subject: {{TargetSubject}}
        {{Indent(sinkExtra)}}
        checkpoint:
          every_records: {{everyRecords}}
          every_seconds: 0
        """);

    /// <summary>Every message of the target stream: the record's id, its Nats-Msg-Id, its payload.</summary>
    private async Task<List<(long Id, string MsgId, JsonElement Payload)>> TargetAsync()
    {
        var consumer = await Js.CreateOrderedConsumerAsync(TargetStream);
        var messages = new List<(long, string, JsonElement)>();
        await foreach (var message in consumer.FetchNoWaitAsync<byte[]>(new NatsJSFetchOpts { MaxMsgs = 10_000 }))
        {
            var payload = JsonDocument.Parse(message.Data!).RootElement.Clone();
            messages.Add((payload.GetProperty("id").GetInt64(), message.Headers!["Nats-Msg-Id"].ToString(), payload));
        }
        return messages;
    }

    private async Task<long> TargetCountAsync() => (await Js.GetStreamAsync(TargetStream)).Info.State.Messages;

    [Fact]
    public async Task Lineage_names_each_stream_by_server_url_and_stream()
    {
        await PublishAsync(1, 10);

        var run = await Cli.Tests.TestSupport.Sluice.RunAsync("run", StreamToStream(100), "--state", State, "--lineage", Dir.File("events.jsonl"));

        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        var complete = JsonDocument.Parse(File.ReadAllLines(Dir.File("events.jsonl"))[1]).RootElement;
        string Named(string side) => $"{complete.GetProperty(side)[0].GetProperty("namespace").GetString()} {complete.GetProperty(side)[0].GetProperty("name").GetString()}";
        Assert.Equal($"{Fixture.Server.Url} {Stream}", Named("inputs"));
        Assert.Equal($"{Fixture.Server.Url} {TargetStream}", Named("outputs"));
    }

    [Fact]
    public async Task Records_are_published_once_in_order_with_a_message_id_from_their_origin_after_their_checkpoint()
    {
        await PublishAsync(1, 300);

        var run = await Cli.Tests.TestSupport.Sluice.RunAsync("run", StreamToStream(100), "--state", State);

        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        var messages = await TargetAsync();
        AssertExactlyOnce(Enumerable.Range(1, 300).Select(i => (long)i), messages.Select(m => m.Id).ToList());
        Assert.Equal(messages.Select(m => m.Id).Order(), messages.Select(m => m.Id)); // in record order
        Assert.Equal($"sluice:nats-copy:sink:{Stream}:1:{Subject}", messages[0].MsgId);
        Assert.Equal(300, messages.Select(m => m.MsgId).Distinct().Count());
        Assert.Equal("n7", messages[6].Payload.GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Number, messages[6].Payload.GetProperty("id").ValueKind);
        Assert.Empty(StagedFiles());
    }

    [Theory]
    [InlineData("after-prepare:2")]
    [InlineData("after-store-commit:3")]
    [InlineData("before-source-ack:3")]
    public async Task A_run_killed_at_a_crash_point_publishes_each_record_once_after_resuming(string crashAt)
    {
        await PublishAsync(1, 1000);
        string pipeline = StreamToStream(100);

        var killed = await SluiceProcess.RunAsync(new Dictionary<string, string> { ["SLUICE_CRASH_AT"] = crashAt }, "run", pipeline, "--state", State);
        Assert.Contains("SLUICE_CRASH_AT", killed.Stderr);
        long published = await TargetCountAsync();
        Assert.True(published < 1000, $"the killed run published {published} messages");
        var resumed = await Cli.Tests.TestSupport.Sluice.RunAsync("run", pipeline, "--state", State);

        Assert.True(resumed.ExitCode == 0, resumed.Stderr + resumed.Stdout);
        var messages = await TargetAsync();
        AssertExactlyOnce(Enumerable.Range(1, 1000).Select(i => (long)i), messages.Select(m => m.Id).ToList());
        Assert.Equal(1000, await TargetCountAsync());
        Assert.Equal(1000, messages.Select(m => m.MsgId).Distinct().Count());
        Assert.Equal(0, await PendingAsync("copier"));
        Assert.Empty(StagedFiles());
    }

    [Fact]
    public async Task A_commit_done_again_after_it_was_cut_short_adds_nothing_the_stream_has()
    {
        await using var sink = NewSink("run-1");
        await sink.WriteAsync(Ids(1, 40), null!, CancellationToken.None);
        var prepared = await sink.PrepareAsync(CancellationToken.None);
        string copy = prepared.Token + ".copy";
        File.Copy(prepared.Token, copy);

        await sink.CommitAsync(prepared.Token, CancellationToken.None);
        Assert.Equal(40, await TargetCountAsync());
        Assert.False(File.Exists(prepared.Token));

        // The process died after publishing, before deleting the file: the resumed run commits the token again.
        File.Move(copy, prepared.Token);
        await using (var resumed = NewSink("run-1"))
        {
            await resumed.CommitAsync(prepared.Token, CancellationToken.None);
            Assert.Contains("40 dropped by the stream as duplicates", string.Join("\n", resumed.Published));
        }
        await sink.CommitAsync(prepared.Token, CancellationToken.None); // the file is gone: committed

        Assert.Equal(40, await TargetCountAsync());
        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), (await TargetAsync()).Select(m => m.Id));
    }

    [Fact]
    public async Task Discarding_an_abandoned_run_deletes_its_staged_files_only()
    {
        await using var dead = NewSink("dead-run");
        await dead.WriteAsync(Ids(1, 5), null!, CancellationToken.None);
        var abandoned = await dead.PrepareAsync(CancellationToken.None);
        await using var live = NewSink("live-run");
        await live.WriteAsync(Ids(6, 5), null!, CancellationToken.None);
        var kept = await live.PrepareAsync(CancellationToken.None);

        await live.DiscardAbandonedAsync("dead-run", CancellationToken.None);

        Assert.False(File.Exists(abandoned.Token));
        Assert.True(File.Exists(kept.Token));
        Assert.Equal(0, await TargetCountAsync());
    }

    [Fact]
    public async Task A_stream_whose_duplicate_window_is_shorter_than_min_duplicate_window_is_refused_by_validate()
    {
        await Js.UpdateStreamAsync(new StreamConfig(TargetStream, [TargetSubject]) { Storage = StreamConfigStorage.File, DuplicateWindow = TimeSpan.FromSeconds(30) });

        var refused = await Cli.Tests.TestSupport.Sluice.RunAsync("validate", StreamToStream(100));
        var accepted = await Cli.Tests.TestSupport.Sluice.RunAsync("validate", StreamToStream(100, "min_duplicate_window: 20s"));

        Assert.Equal(2, refused.ExitCode);
        Assert.Contains($"stream '{TargetStream}' at NATS at {Fixture.Server.Url} remembers message ids for 30s (its duplicate window), less than min_duplicate_window (2m)", refused.Stdout + refused.Stderr);
        Assert.DoesNotContain("   at ", refused.Stdout + refused.Stderr);
        Assert.True(accepted.ExitCode == 0, accepted.Stderr + accepted.Stdout);
    }

    [Fact]
    public async Task A_subject_no_stream_stores_is_one_line_from_validate()
    {
        string pipeline = File.ReadAllText(StreamToStream(100)).Replace(TargetSubject, "nowhere.at.all", StringComparison.Ordinal);
        File.WriteAllText(Dir.File("copy.yaml"), pipeline);

        var result = await Cli.Tests.TestSupport.Sluice.RunAsync("validate", Dir.File("copy.yaml"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no JetStream stream at NATS at", result.Stdout + result.Stderr);
        Assert.Contains("stores subject 'nowhere.at.all'", result.Stdout + result.Stderr);
        Assert.DoesNotContain("   at ", result.Stdout + result.Stderr);
    }

    private NatsJetStreamSink NewSink(string run)
    {
        var options = new NatsJetStreamSinkOptions { Url = Fixture.Server.Url, Subject = TargetSubject };
        var context = new BuildContext(Dir.Path, run) { PipelineName = "p-" + Prefix, StageName = "sink" };
        var access = NatsAccess.TryCreate(Fixture.Server.Url, null, null, null, out _)!;
        return new NatsJetStreamSink(options, access, TargetStream, context);
    }

    private List<string> StagedFiles() =>
        Directory.Exists(Dir.File(".sluice/nats-staging")) ? Directory.GetFiles(Dir.File(".sluice/nats-staging"), "*.staged", SearchOption.AllDirectories).ToList() : [];

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
}
