using Sluice.Cli.Tests.TestSupport;
using Sluice.Redis.Tests.TestSupport;
using StackExchange.Redis;

namespace Sluice.Redis.Tests.Source;

public sealed class StreamSourceTests(RedisFixture fixture) : RedisTest(fixture)
{
    [Fact]
    public async Task A_thousand_entries_are_written_once_acknowledged_and_a_second_run_reads_only_new_ones()
    {
        await AddAsync(1, 1000);
        string pipeline = Pipeline(everyRecords: 300);

        var first = await RunAsync(pipeline);

        Assert.True(first.ExitCode == 0, first.Stderr + first.Stdout);
        AssertExactlyOnce(Enumerable.Range(1, 1000).Select(i => (long)i), OutputIds());
        Assert.Equal(0, await PendingAsync());

        await AddAsync(1001, 250);
        var second = await RunAsync(pipeline);

        Assert.True(second.ExitCode == 0, second.Stderr + second.Stdout);
        AssertExactlyOnce(Enumerable.Range(1, 1250).Select(i => (long)i), OutputIds());
        Assert.Equal(0, await PendingAsync());
    }

    [Fact]
    public async Task A_following_run_writes_entries_as_they_arrive_and_after_SIGTERM_nothing_is_pending_or_written_twice()
    {
        await AddAsync(1, 100);
        string pipeline = Pipeline();
        File.WriteAllText(pipeline, File.ReadAllText(pipeline).Replace("every_seconds: 0", "every_seconds: 0.2"));

        using var following = SluiceProcess.Start(new Dictionary<string, string>(), "run", pipeline, "--state", State, "--follow");
        Task<string> stdout = following.StandardOutput.ReadToEndAsync();
        Task<string> stderr = following.StandardError.ReadToEndAsync();
        try
        {
            Assert.True(SpinWait.SpinUntil(() => OutputIds().Count == 100, TimeSpan.FromSeconds(30)), "the first entries were not published");
            await AddAsync(101, 50); // while it waits: an idle following source must still let checkpoints through
            Assert.True(SpinWait.SpinUntil(() => OutputIds().Count == 150, TimeSpan.FromSeconds(30)), "entries added later were not published");
            using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", following.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                await kill.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await following.WaitForExitAsync(timeout.Token);
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
    public async Task A_run_killed_after_a_checkpoint_committed_but_before_its_entries_were_acknowledged_resumes_exactly_once()
    {
        await AddAsync(1, 1000);
        string pipeline = Pipeline("batch_size: 50", everyRecords: 100);

        // Killed once checkpoint 3 is stored: nothing of it published, none of its entries acknowledged.
        var killed = await SluiceProcess.RunAsync(new Dictionary<string, string> { ["SLUICE_CRASH_AT"] = "after-store-commit:3" },
            "run", pipeline, "--state", State);

        Assert.NotEqual(0, killed.ExitCode);
        Assert.Contains("SLUICE_CRASH_AT", killed.Stderr);
        Assert.True(await PendingAsync() > 0, "the killed run left entries pending");

        var resumed = await RunAsync(pipeline);

        Assert.True(resumed.ExitCode == 0, resumed.Stderr + resumed.Stdout);
        Assert.Contains("resuming run", resumed.Stdout + resumed.Stderr);
        AssertExactlyOnce(Enumerable.Range(1, 1000).Select(i => (long)i), OutputIds());
        Assert.Equal(0, await PendingAsync());
    }

    [Fact]
    public async Task Entries_a_dead_consumer_left_pending_longer_than_claim_idle_are_claimed_and_written_once()
    {
        await AddAsync(1, 100);
        await Db.StreamCreateConsumerGroupAsync(Stream, "loaders", "0");
        var taken = await Db.StreamReadGroupAsync(Stream, "loaders", "dead-worker", ">", 40); // read, never acknowledged
        Assert.Equal(40, taken.Length);
        await Task.Delay(300);

        var run = await RunAsync(Pipeline("claim_idle: 200ms"));

        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        AssertExactlyOnce(Enumerable.Range(1, 100).Select(i => (long)i), OutputIds());
        Assert.Equal(0, await PendingAsync());
    }

    [Fact]
    public async Task Entries_another_consumer_has_not_left_idle_long_enough_are_not_claimed()
    {
        await AddAsync(1, 10);
        await Db.StreamCreateConsumerGroupAsync(Stream, "loaders", "0");
        await Db.StreamReadGroupAsync(Stream, "loaders", "busy-worker", ">", 4);

        var run = await RunAsync(Pipeline("claim_idle: 10m"));

        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        AssertExactlyOnce(Enumerable.Range(5, 6).Select(i => (long)i), OutputIds());
        Assert.Equal(4, await PendingAsync());
    }

    [Fact]
    public async Task A_bad_entry_is_a_dead_letter_with_its_fields_as_json_and_replay_reads_it_back()
    {
        await AddAsync(1, 3);
        var notUtf8 = await Db.StreamAddAsync(Stream, [new NameValueEntry("id", "4"), new NameValueEntry("name", new byte[] { 0xC3, 0x28 })]);
        var unknown = await Db.StreamAddAsync(Stream, [new NameValueEntry("id", "5"), new NameValueEntry("colour", "red")]);
        await AddAsync(6, 3);
        string pipeline = Pipeline();

        var run = await RunAsync(pipeline);

        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        AssertExactlyOnce([1, 2, 3, 6, 7, 8], OutputIds());
        Assert.Equal(0, await PendingAsync());
        var letters = await Cli.Tests.TestSupport.Sluice.RunAsync("dlq", "list", "--state", State, "--json");
        Assert.Contains($"{notUtf8}", letters.Stdout);
        Assert.Contains("not_utf8", letters.Stdout);
        Assert.Contains($"{unknown}", letters.Stdout);
        Assert.Contains("unknown_field", letters.Stdout);
        var shown = await Cli.Tests.TestSupport.Sluice.RunAsync("dlq", "list", "--state", State);
        Assert.Contains($"{Stream}:{unknown}", shown.Stdout);

        // The fix: the contract drops fields it does not name. Replay reads the letter's bytes back as an entry.
        Pipeline(unknownFields: "drop");
        var replay = await Cli.Tests.TestSupport.Sluice.RunAsync("dlq", "replay", "--pipeline", pipeline, "--state", State);

        Assert.True(replay.ExitCode is 0 or 3, replay.Stderr + replay.Stdout);
        AssertExactlyOnce([1, 2, 3, 5, 6, 7, 8], OutputIds());
    }

    [Fact]
    public async Task An_entry_larger_than_max_entry_bytes_is_a_dead_letter_not_a_failed_run()
    {
        await AddAsync(1, 2);
        await Db.StreamAddAsync(Stream, [new NameValueEntry("id", "3"), new NameValueEntry("name", new string('x', 5000))]);
        await AddAsync(4, 2);

        var run = await RunAsync(Pipeline("max_entry_bytes: 1000"));

        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        AssertExactlyOnce([1, 2, 4, 5], OutputIds());
        var letters = await Cli.Tests.TestSupport.Sluice.RunAsync("dlq", "list", "--state", State, "--json");
        Assert.Contains("too_large", letters.Stdout);
    }

    [Fact]
    public async Task Validate_against_a_wrong_port_is_one_line_without_the_password()
    {
        Environment.SetEnvironmentVariable("SLUICE_TEST_REDIS_PASSWORD", "s3cret-pw");
        string pipeline = Dir.Write("wrong.yaml", """
            name: wrong
            source:
              type: redis_stream
              connection: "127.0.0.1:1,password=${env:SLUICE_TEST_REDIS_PASSWORD}"
              streams: [orders]
              group: loaders
              columns: [id]
            sink: { type: jsonl, path: out }
            """);

        var result = await Cli.Tests.TestSupport.Sluice.RunAsync("validate", pipeline);

        Assert.Equal(2, result.ExitCode);
        string output = result.Stdout + result.Stderr;
        Assert.Contains("Redis at 127.0.0.1:1", output);
        Assert.DoesNotContain("s3cret-pw", output);
        Assert.DoesNotContain("   at ", output);
        Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains("Redis at", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_run_while_redis_is_down_fails_in_one_line_and_the_next_run_reads_everything_once()
    {
        await AddAsync(1, 100);
        string pipeline = Pipeline();
        Assert.Equal(0, (await RunAsync(pipeline)).ExitCode);
        await AddAsync(101, 50);

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
        Assert.Contains($"Redis at {Fixture.Server.ConnectionString}", down.Stdout + down.Stderr);
        Assert.DoesNotContain("   at ", down.Stdout + down.Stderr);
        Assert.True(again.ExitCode == 0, again.Stderr + again.Stdout);
        AssertExactlyOnce(Enumerable.Range(1, 150).Select(i => (long)i), OutputIds());
        Assert.Equal(0, await PendingAsync());
    }
}
