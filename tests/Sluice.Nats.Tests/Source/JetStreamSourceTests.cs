using System.Text;
using System.Text.Json;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Sluice.Cli.Tests.TestSupport;
using Sluice.Nats.Tests.TestSupport;

namespace Sluice.Nats.Tests.Source;

public sealed class JetStreamSourceTests(NatsFixture fixture) : NatsTest(fixture)
{
    [Fact]
    public async Task A_thousand_messages_are_written_once_acknowledged_and_a_second_run_reads_only_new_ones()
    {
        await PublishAsync(1, 1000);
        string pipeline = Pipeline("batch_size: 128", everyRecords: 300);

        var first = await RunAsync(pipeline);

        Assert.True(first.ExitCode == 0, first.Stderr + first.Stdout);
        AssertExactlyOnce(Enumerable.Range(1, 1000).Select(i => (long)i), OutputIds());
        Assert.Equal(0, await PendingAsync());
        var consumer = await Js.GetConsumerAsync(Stream, "loader");
        Assert.Equal(1000UL, consumer.Info.AckFloor.StreamSeq);

        await PublishAsync(1001, 250);
        var second = await RunAsync(pipeline);

        Assert.True(second.ExitCode == 0, second.Stderr + second.Stdout);
        AssertExactlyOnce(Enumerable.Range(1, 1250).Select(i => (long)i), OutputIds());
        Assert.Equal(0, await PendingAsync());
        var third = await RunAsync(pipeline);
        Assert.True(third.ExitCode == 0, third.Stderr + third.Stdout);
        AssertExactlyOnce(Enumerable.Range(1, 1250).Select(i => (long)i), OutputIds());
    }

    [Theory]
    [InlineData("after-prepare:2")]
    [InlineData("after-store-commit:3")]
    [InlineData("before-source-ack:3")]
    public async Task A_run_killed_at_a_crash_point_resumes_with_every_message_once_and_nothing_pending(string crashAt)
    {
        await PublishAsync(1, 1000);
        string pipeline = Pipeline("batch_size: 50", everyRecords: 100);

        var killed = await SluiceProcess.RunAsync(new Dictionary<string, string> { ["SLUICE_CRASH_AT"] = crashAt }, "run", pipeline, "--state", State);

        Assert.NotEqual(0, killed.ExitCode);
        Assert.Contains("SLUICE_CRASH_AT", killed.Stderr);
        var left = await Js.GetConsumerAsync(Stream, "loader");
        Assert.True(left.Info.NumAckPending > 0, "the killed run left messages unacknowledged");

        var resumed = await RunAsync(pipeline);

        Assert.True(resumed.ExitCode == 0, resumed.Stderr + resumed.Stdout);
        AssertExactlyOnce(Enumerable.Range(1, 1000).Select(i => (long)i), OutputIds());
        Assert.Equal(0, await PendingAsync());
        await PublishAsync(1001, 10);
        var next = await RunAsync(pipeline);
        Assert.True(next.ExitCode == 0, next.Stderr + next.Stdout);
        AssertExactlyOnce(Enumerable.Range(1, 1010).Select(i => (long)i), OutputIds());
        var info = (await Js.GetConsumerAsync(Stream, "loader")).Info;
        Assert.True(await PendingAsync() == 0, $"pending {info.NumAckPending}, delivered {info.Delivered.StreamSeq}/{info.Delivered.ConsumerSeq}, ack floor {info.AckFloor.StreamSeq}/{info.AckFloor.ConsumerSeq}, redelivered {info.NumRedelivered}\n{next.Stdout}{next.Stderr}");
    }

    [Fact]
    public async Task A_run_killed_after_its_last_checkpoint_leaves_a_consumer_the_next_runs_keep_and_read_on_from()
    {
        await PublishAsync(1, 100);
        string pipeline = Pipeline(); // one checkpoint, at the end

        var killed = await SluiceProcess.RunAsync(new Dictionary<string, string> { ["SLUICE_CRASH_AT"] = "before-source-ack:1" }, "run", pipeline, "--state", State);

        Assert.NotEqual(0, killed.ExitCode);
        Assert.Equal(100, (await Js.GetConsumerAsync(Stream, "loader")).Info.NumAckPending);

        // Everything is committed and nothing acknowledged: the run puts the consumer right after 100 and reads nothing.
        var resumed = await RunAsync(pipeline);

        Assert.True(resumed.ExitCode == 0, resumed.Stderr + resumed.Stdout);
        AssertExactlyOnce(Enumerable.Range(1, 100).Select(i => (long)i), OutputIds());
        var moved = (await Js.GetConsumerAsync(Stream, "loader")).Info;
        // nats-server 2.9.10 reports this consumer's ack floor as 0 until its first acknowledgement: what two trials
        // of the crash harness ended with. Nothing is pending, nothing undelivered, and it starts after the position.
        Assert.Equal((0L, 0UL, 100UL, 101UL), (moved.NumAckPending, moved.NumPending, moved.Delivered.StreamSeq, moved.Config.OptStartSeq));

        var idle = await RunAsync(pipeline);

        Assert.True(idle.ExitCode == 0, idle.Stderr + idle.Stdout);
        Assert.Equal(100, OutputIds().Count);
        Assert.Equal(moved.Created, (await Js.GetConsumerAsync(Stream, "loader")).Info.Created); // kept, not created again

        await PublishAsync(101, 10);
        var next = await RunAsync(pipeline);

        Assert.True(next.ExitCode == 0, next.Stderr + next.Stdout);
        AssertExactlyOnce(Enumerable.Range(1, 110).Select(i => (long)i), OutputIds());
        Assert.Equal(0, await PendingAsync());
        Assert.Equal(110UL, (await Js.GetConsumerAsync(Stream, "loader")).Info.AckFloor.StreamSeq);
    }

    [Fact]
    public async Task A_delivery_another_client_takes_mid_run_is_a_gap_the_run_goes_back_for_and_every_message_is_written_once()
    {
        await PublishAsync(1, 10);
        string pipeline = Pipeline();
        File.WriteAllText(pipeline, File.ReadAllText(pipeline).Replace("every_seconds: 0", "every_seconds: 0.2"));

        using var following = SluiceProcess.Start(new Dictionary<string, string>(), "run", pipeline, "--state", State, "--follow");
        Task<string> stdout = following.StandardOutput.ReadToEndAsync();
        Task<string> stderr = following.StandardError.ReadToEndAsync();
        int published = 10;
        try
        {
            Assert.True(SpinWait.SpinUntil(() => OutputIds().Count == 10, TimeSpan.FromSeconds(30)), "the first messages were not written");
            Assert.Equal(0, await PendingAsync());
            // Another client fetches the next message from the run's consumer and never acknowledges it, as a fetch
            // whose answer the connection lost would: the run's next delivery skips a consumer sequence. Retried
            // until the theft wins the race with the run's poll (once a second).
            var consumer = await Js.GetConsumerAsync(Stream, "loader");
            int taken = 0;
            for (int attempt = 0; attempt < 20 && taken == 0; attempt++)
            {
                await PublishAsync(++published, 1);
                await foreach (var _ in consumer.FetchNoWaitAsync<byte[]>(new NatsJSFetchOpts { MaxMsgs = 1 }))
                {
                    taken++;
                }
            }
            Assert.Equal(1, taken);
            await PublishAsync(published + 1, 10);
            published += 10;
            // Without going back, the stolen message would come again only after ack_wait, below the run's last
            // sequence, and never be written.
            Assert.True(SpinWait.SpinUntil(() => OutputIds().Count >= published, TimeSpan.FromSeconds(30)),
                $"{OutputIds().Count} of {published} messages written");
            await TerminateAsync(following);
        }
        finally
        {
            following.Kill();
        }

        Assert.True(following.ExitCode == 130, await stderr + await stdout);
        AssertExactlyOnce(Enumerable.Range(1, published).Select(i => (long)i), OutputIds());
        Assert.Equal(0, await PendingAsync());
    }

    [Fact]
    public async Task A_following_run_writes_messages_as_they_arrive_and_after_SIGTERM_nothing_is_pending_or_written_twice()
    {
        await PublishAsync(1, 100);
        string pipeline = Pipeline();
        File.WriteAllText(pipeline, File.ReadAllText(pipeline).Replace("every_seconds: 0", "every_seconds: 0.2"));

        using var following = SluiceProcess.Start(new Dictionary<string, string>(), "run", pipeline, "--state", State, "--follow");
        Task<string> stdout = following.StandardOutput.ReadToEndAsync();
        Task<string> stderr = following.StandardError.ReadToEndAsync();
        try
        {
            Assert.True(SpinWait.SpinUntil(() => OutputIds().Count == 100, TimeSpan.FromSeconds(30)), "the first messages were not published");
            await PublishAsync(101, 50); // while it waits: an idle following source must still let checkpoints through
            Assert.True(SpinWait.SpinUntil(() => OutputIds().Count == 150, TimeSpan.FromSeconds(30)), "messages published later were not written");
            await TerminateAsync(following);
        }
        finally
        {
            following.Kill(); // a following run never ends by itself: never leave one behind
        }

        Assert.True(following.ExitCode == 130, await stderr + await stdout);
        AssertExactlyOnce(Enumerable.Range(1, 150).Select(i => (long)i), OutputIds());
        Assert.Equal(0, await PendingAsync());
    }

    [Fact]
    public async Task A_following_run_rides_out_a_server_restart_and_writes_what_came_after_it_once()
    {
        await PublishAsync(1, 50);
        string pipeline = Pipeline(extra: "resilience:\n  retry: { attempts: 20, delay: 200ms, max_delay: 1s }");
        File.WriteAllText(pipeline, File.ReadAllText(pipeline).Replace("every_seconds: 0", "every_seconds: 0.2"));

        using var following = SluiceProcess.Start(new Dictionary<string, string>(), "run", pipeline, "--state", State, "--follow");
        Task<string> stdout = following.StandardOutput.ReadToEndAsync();
        Task<string> stderr = following.StandardError.ReadToEndAsync();
        try
        {
            Assert.True(SpinWait.SpinUntil(() => OutputIds().Count == 50, TimeSpan.FromSeconds(30)), "the first messages were not written");
            await Fixture.Server.StopAsync();
            await Task.Delay(1500);
            await Fixture.Server.StartAgainAsync();
            await PublishAsync(51, 50);
            Assert.True(SpinWait.SpinUntil(() => OutputIds().Count >= 100 || following.HasExited, TimeSpan.FromSeconds(60)),
                "messages published after the restart were not written");
            Assert.False(following.HasExited, "the following run ended when the server went away");
            await TerminateAsync(following);
        }
        finally
        {
            following.Kill();
        }

        Assert.True(following.ExitCode == 130, await stderr + await stdout);
        AssertExactlyOnce(Enumerable.Range(1, 100).Select(i => (long)i), OutputIds());
        Assert.Equal(0, await PendingAsync());
    }

    [Fact]
    public async Task A_run_while_the_server_is_down_fails_in_one_line_and_the_next_run_reads_everything_once()
    {
        await PublishAsync(1, 100);
        string pipeline = Pipeline();
        Assert.Equal(0, (await RunAsync(pipeline)).ExitCode);
        await PublishAsync(101, 50);

        await Fixture.Server.StopAsync();
        CliResult down;
        try
        {
            down = await RunAsync(pipeline);
        }
        finally
        {
            await Fixture.Server.StartAgainAsync();
        }
        var again = await RunAsync(pipeline);

        Assert.NotEqual(0, down.ExitCode);
        string output = down.Stdout + down.Stderr;
        Assert.Contains($"NATS at {Fixture.Server.Url}", output);
        Assert.DoesNotContain("   at ", output);
        Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains("NATS at", StringComparison.Ordinal));
        Assert.True(again.ExitCode == 0, again.Stderr + again.Stdout);
        AssertExactlyOnce(Enumerable.Range(1, 150).Select(i => (long)i), OutputIds());
        Assert.Equal(0, await PendingAsync());
    }

    [Fact]
    public async Task Bad_payloads_are_dead_letters_with_their_bytes_and_replay_after_fixing_the_contract_writes_them()
    {
        await PublishAsync(1, 3);
        byte[] notJson = "id=4"u8.ToArray();
        byte[] unknownKey = """{"id":5,"colour":"red"}"""u8.ToArray();
        byte[] wrongType = """{"id":"six","name":"n6"}"""u8.ToArray();
        byte[] tooLarge = Encoding.UTF8.GetBytes($$"""{"id":7,"name":"{{new string('x', 3000)}}"}""");
        ulong notJsonSeq = await PublishRawAsync(notJson);
        ulong unknownSeq = await PublishRawAsync(unknownKey);
        ulong wrongTypeSeq = await PublishRawAsync(wrongType);
        ulong tooLargeSeq = await PublishRawAsync(tooLarge);
        await PublishAsync(8, 3);
        string pipeline = Pipeline("max_message_bytes: 2000");

        var run = await RunAsync(pipeline);

        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        AssertExactlyOnce([1, 2, 3, 8, 9, 10], OutputIds());
        Assert.Equal(0, await PendingAsync());
        var letters = await Letters();
        Assert.Equal(4, letters.Count);
        Assert.Equal(("parse", "json"), (letters[notJsonSeq].Reason, letters[notJsonSeq].Rule));
        Assert.Equal(("parse", "unknown_key"), (letters[unknownSeq].Reason, letters[unknownSeq].Rule));
        Assert.Equal(("parse", "type"), (letters[wrongTypeSeq].Reason, letters[wrongTypeSeq].Rule)); // the contract's, typing the text
        Assert.Equal(("parse", "too_large"), (letters[tooLargeSeq].Reason, letters[tooLargeSeq].Rule));
        Assert.Equal(notJson, letters[notJsonSeq].Original);
        Assert.Equal(unknownKey, letters[unknownSeq].Original);
        Assert.Equal(wrongType, letters[wrongTypeSeq].Original);
        Assert.Equal(tooLarge, letters[tooLargeSeq].Original);
        var shown = await Cli.Tests.TestSupport.Sluice.RunAsync("dlq", "list", "--state", State);
        Assert.Contains($"{Stream}:{unknownSeq}:{Subject}", shown.Stdout);

        // The fix: the contract drops keys it does not name, and the size limit is raised. Replay parses the
        // letters' bytes again; the one that is not JSON and the one whose id is not a number stay letters.
        Pipeline("max_message_bytes: 10000", unknownFields: "drop");
        var replay = await Cli.Tests.TestSupport.Sluice.RunAsync("dlq", "replay", "--pipeline", pipeline, "--state", State);

        Assert.True(replay.ExitCode is 0 or 3, replay.Stderr + replay.Stdout);
        AssertExactlyOnce([1, 2, 3, 5, 7, 8, 9, 10], OutputIds());
        var after = await Letters();
        Assert.Equal([notJsonSeq, wrongTypeSeq], after.Keys.Order());
    }

    [Fact]
    public async Task A_consumer_another_client_moved_past_the_position_is_put_back_and_the_stream_read_from_there()
    {
        await PublishAsync(1, 20);
        string pipeline = Pipeline();
        Assert.Equal(0, (await RunAsync(pipeline)).ExitCode);
        await PublishAsync(21, 20);
        // Someone fetches from the pipeline's consumer and never acknowledges: the server would hold those 10
        // messages back until ack_wait and hand out the later ones first.
        var consumer = await Js.GetConsumerAsync(Stream, "loader");
        int taken = 0;
        await foreach (var _ in consumer.FetchNoWaitAsync<byte[]>(new NATS.Client.JetStream.NatsJSFetchOpts { MaxMsgs = 10 }))
        {
            taken++;
        }
        Assert.Equal(10, taken);

        var run = await RunAsync(pipeline);

        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        AssertExactlyOnce(Enumerable.Range(1, 40).Select(i => (long)i), OutputIds());
        Assert.Equal(0, await PendingAsync());
    }

    [Fact]
    public async Task A_stream_deleted_and_created_again_is_read_from_its_start_not_skipped_up_to_the_old_position()
    {
        await PublishAsync(1, 30);
        string pipeline = Pipeline();
        Assert.Equal(0, (await RunAsync(pipeline)).ExitCode);

        await Js.DeleteStreamAsync(Stream);
        await Js.CreateStreamAsync(new StreamConfig(Stream, [Prefix + ".>"]) { Storage = StreamConfigStorage.File });
        await PublishAsync(101, 10); // sequences 1 … 10 again, below the pipeline's position 30
        var run = await RunAsync(pipeline);

        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        AssertExactlyOnce(Enumerable.Range(1, 30).Concat(Enumerable.Range(101, 10)).Select(i => (long)i), OutputIds());
        Assert.Equal(0, await PendingAsync());
    }

    [Fact]
    public async Task A_subjects_filter_reads_only_those_subjects()
    {
        await PublishAsync(1, 5);
        (await Js.PublishAsync(Prefix + ".other", """{"id":99}"""u8.ToArray())).EnsureSuccess();
        await PublishAsync(6, 5);

        var run = await RunAsync(Pipeline($"subjects: [{Subject}]"));

        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        AssertExactlyOnce(Enumerable.Range(1, 10).Select(i => (long)i), OutputIds());
        Assert.Equal(0, await PendingAsync());
    }

    private async Task<Dictionary<ulong, (string Reason, string? Rule, byte[] Original)>> Letters()
    {
        var list = await Cli.Tests.TestSupport.Sluice.RunAsync("dlq", "list", "--state", State, "--json");
        Assert.True(list.ExitCode == 0, list.Stderr + list.Stdout);
        var letters = new Dictionary<ulong, (string, string?, byte[])>();
        using var document = JsonDocument.Parse(list.Stdout);
        foreach (var letter in document.RootElement.GetProperty("dead_letters").EnumerateArray())
        {
            var shown = await Cli.Tests.TestSupport.Sluice.RunAsync("dlq", "show", letter.GetProperty("id").GetString()!, "--state", State, "--json");
            using var detail = JsonDocument.Parse(shown.Stdout);
            var root = detail.RootElement.GetProperty("dead_letter");
            Assert.Equal(Stream, root.GetProperty("input").GetString());
            string position = root.GetProperty("position").GetString()!;
            Assert.EndsWith(":" + Subject, position);
            letters[ulong.Parse(position.Split(':')[0], System.Globalization.CultureInfo.InvariantCulture)] = (
                root.GetProperty("reason").GetString()!,
                root.GetProperty("rule").GetString(),
                Convert.FromBase64String(detail.RootElement.GetProperty("original").GetProperty("base64").GetString()!));
        }
        return letters;
    }

    private static async Task TerminateAsync(System.Diagnostics.Process process)
    {
        using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
    }
}
