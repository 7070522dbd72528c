using System.Globalization;
using Sluice.ServiceFixtures;
using StackExchange.Redis;

namespace Sluice.CrashHarness.Services;

/// <summary>
/// <c>--services redis</c>: a private Redis (<see cref="RedisServer"/>, every write fsynced), one stream key per trial
/// read by the <c>redis_stream</c> source through group <c>crash</c> with the trial's own consumer name. Positions are
/// entry ids. An unreadable entry is, by its variant, a value that is not UTF-8, a field the contract does not know
/// (it rejects unknown fields), an entry larger than <see cref="MaxEntryBytes"/>, or a field given twice: the four
/// things the source dead-letters itself.
/// </summary>
internal sealed class RedisStreamUnderTest : IStreamUnderTest
{
    /// <summary>The source's <c>max_entry_bytes</c>: far above a good entry, below the too-large variant.</summary>
    public const int MaxEntryBytes = 4096;

    private readonly RedisServer _server;
    private readonly ConnectionMultiplexer _client;

    private RedisStreamUnderTest(RedisServer server, ConnectionMultiplexer client)
    {
        _server = server;
        _client = client;
    }

    public static async Task<RedisStreamUnderTest> StartAsync()
    {
        var server = await RedisServer.StartAsync();
        try
        {
            return new RedisStreamUnderTest(server, await ConnectionMultiplexer.ConnectAsync(server.ConnectionString + ",abortConnect=false"));
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public string Name => "redis";

    public string Server => $"Redis at {_server.ConnectionString}";

    /// <summary>The server's connection string, for tests that look at a stream themselves.</summary>
    public string ConnectionString => _server.ConnectionString;

    public string SourceYaml(TrialNames trial, int batchSize) => string.Create(CultureInfo.InvariantCulture, $"""
        source:
          type: redis_stream
          connection: "{_server.ConnectionString}"
          streams: [{trial.Stream}]
          group: {trial.Group}
          consumer: {trial.Consumer}
          batch_size: {batchSize}
          max_entry_bytes: {MaxEntryBytes}
        """);

    public string Input(TrialNames trial) => trial.Stream;

    public async Task<IReadOnlyList<string>> AddAsync(TrialNames trial, IReadOnlyList<ServiceEntry> entries)
    {
        // One batch: the commands go out back to back on one connection, so the ids ascend in entry order.
        var db = _client.GetDatabase();
        var batch = db.CreateBatch();
        var adds = entries.Select(e => batch.StreamAddAsync(trial.Stream, Fields(e))).ToList();
        batch.Execute();
        var ids = await Task.WhenAll(adds);
        return [.. ids.Select(id => id.ToString())];
    }

    private static NameValueEntry[] Fields(ServiceEntry entry)
    {
        var fields = entry.Fields.Select(f => new NameValueEntry(f.Field, f.Value)).ToList();
        if (entry.Fault != EntryFault.Unreadable)
        {
            return [.. fields];
        }
        int name = fields.FindIndex(f => f.Name == "name");
        switch (entry.Variant)
        {
            case 0: // rule not_utf8
                fields[name] = new NameValueEntry("name", new byte[] { 0x6e, 0xC3, 0x28 });
                break;
            case 1: // rule unknown_field
                fields.Add(new NameValueEntry("colour", "red"));
                break;
            case 2: // rule too_large
                fields[name] = new NameValueEntry("name", new string('x', MaxEntryBytes + 100));
                break;
            default: // rule duplicate_field
                fields.Add(new NameValueEntry("name", "again"));
                break;
        }
        return [.. fields];
    }

    public async Task<List<string>> CheckDrainedAsync(TrialNames trial, string lastPosition)
    {
        var problems = new List<string>();
        var db = _client.GetDatabase();
        if (!(await db.StreamGroupInfoAsync(trial.Stream)).Any(g => g.Name == trial.Group))
        {
            return [$"stream '{trial.Stream}' has no group '{trial.Group}': no run got as far as creating it"];
        }
        var pending = await db.StreamPendingAsync(trial.Stream, trial.Group);
        if (pending.PendingMessageCount != 0)
        {
            var entries = await db.StreamPendingMessagesAsync(trial.Stream, trial.Group, 5, RedisValue.Null);
            problems.Add($"{pending.PendingMessageCount} entries still pending in group '{trial.Group}' of stream '{trial.Stream}' " +
                $"(delivered, never acknowledged): {string.Join(", ", entries.Select(e => $"{e.MessageId} to {e.ConsumerName}"))}{(pending.PendingMessageCount > 5 ? ", …" : "")}");
        }
        var group = (await db.StreamGroupInfoAsync(trial.Stream)).First(g => g.Name == trial.Group);
        if (Compare(group.LastDeliveredId, lastPosition) < 0)
        {
            problems.Add($"group '{trial.Group}' last delivered entry {group.LastDeliveredId}, short of the last entry produced, {lastPosition}");
        }
        if (group.Lag is > 0)
        {
            problems.Add($"group '{trial.Group}' has a lag of {group.Lag} entries not yet delivered");
        }
        return problems;
    }

    /// <summary>Orders two entry ids (<c>milliseconds-sequence</c>) as Redis does.</summary>
    public static int Compare(string? a, string b)
    {
        static (ulong, ulong) Parse(string? id)
        {
            if (string.IsNullOrEmpty(id))
            {
                return (0, 0);
            }
            int dash = id.IndexOf('-', StringComparison.Ordinal);
            return dash < 0
                ? (ulong.Parse(id, CultureInfo.InvariantCulture), 0)
                : (ulong.Parse(id[..dash], CultureInfo.InvariantCulture), ulong.Parse(id[(dash + 1)..], CultureInfo.InvariantCulture));
        }
        return Parse(a).CompareTo(Parse(b));
    }

    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }
}
