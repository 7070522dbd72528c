using Apache.Arrow;
using Sluice.Extensibility;
using StackExchange.Redis;

namespace Sluice.Redis.Sink;

/// <summary>
/// The <c>redis_stream</c> sink, in two phases. <see cref="WriteAsync"/> appends each record (as staged fields) to a
/// list of this sink's own per checkpoint, <c>sluice:staging:{pipeline}:{stage}:{run}:{attempt}-{unit}</c>; <see cref="PrepareAsync"/>
/// returns that key as the token. <see cref="CommitAsync"/> runs a Lua script — atomic in Redis — that pops up to
/// <see cref="ChunkSize"/> items from the list and XADDs each to the stream, and once the list is empty sets the marker
/// <c>sluice:committed:{token}</c> (kept <see cref="MarkerLifetime"/>); it repeats until done. A process that dies between
/// chunks leaves the rest in the list for the resumed run's commit; a commit of a token with a marker does nothing.
/// </summary>
internal sealed class RedisStreamSink : ISink, INamedDataset
{
    public static readonly TimeSpan MarkerLifetime = TimeSpan.FromDays(7);

    private const string MoveScript = """
        if redis.call('EXISTS', KEYS[3]) == 1 then return {0, 1} end
        local moved = 0
        local chunk = tonumber(ARGV[1])
        while moved < chunk do
          local item = redis.call('LPOP', KEYS[1])
          if not item then break end
          local fields = cjson.decode(item)
          if ARGV[2] ~= '' then
            redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', unpack(fields))
          else
            redis.call('XADD', KEYS[2], '*', unpack(fields))
          end
          moved = moved + 1
        end
        if redis.call('EXISTS', KEYS[1]) == 0 then
          redis.call('SET', KEYS[3], '1', 'EX', tonumber(ARGV[3]))
          return {moved, 1}
        end
        return {moved, 0}
        """;

    private readonly RedisStreamSinkOptions _options;
    private readonly RedisConnection? _connection;
    private readonly RetryPolicy _retry;
    private readonly string _prefix;     // sluice:staging:{pipeline}:{stage}:
    private readonly string _runPrefix;  // … {run}:
    private readonly string _attempt;    // this sink instance's own, so unit names never repeat
    private readonly RedisLink _link;
    private long _unit;
    private string? _current;
    private long _currentCount;
    private long _published;
    private int _commits;

    public RedisStreamSink(RedisStreamSinkOptions options, RedisConnection? connection, Schema input, BuildContext context)
    {
        _options = options;
        _connection = connection;
        _retry = context.Resilience.Retry;
        _link = new RedisLink(connection, _retry, "sink");
        _prefix = $"sluice:staging:{context.PipelineName}:{context.StageName}:";
        _runPrefix = _prefix + context.RunId + ":";
        // A resumed run has the same run id: its units must not take the names of the crashed attempt's, whose
        // markers say "committed" (a new unit under such a name would be skipped as done).
        _attempt = Guid.NewGuid().ToString("N")[..8];
        _ = input;
    }

    /// <summary>The stream; without a connection (the pipeline only checked) the namespace is plain <c>redis</c>.</summary>
    public LineageDataset Dataset => _connection?.Dataset(_options.Stream) ?? new("redis", _options.Stream);

    /// <summary>Entries moved per script call: each call blocks the server while it runs, so keep it short.</summary>
    public int ChunkSize { get; init; } = 500;

    public IReadOnlyList<string> Published =>
        Volatile.Read(ref _commits) == 0 ? [] : [$"redis stream {_options.Stream} ({Interlocked.Read(ref _published):N0} entries added in {_commits:N0} commits)"];

    public async ValueTask WriteAsync(Batch batch, StageContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Length == 0)
        {
            return;
        }
        var db = await _link.DatabaseAsync(cancellationToken);
        _current ??= $"{_runPrefix}{_attempt}-{Interlocked.Increment(ref _unit):D6}";
        var items = new RedisValue[batch.Length];
        for (int row = 0; row < batch.Length; row++)
        {
            var origin = batch.Origins[row];
            items[row] = EntryWriter.Staged(batch.Data, row, _options.IdField, $"{origin.Input}:{origin.Position}");
        }
        string key = _current;
        foreach (var chunk in items.Chunk(1000))
        {
            // Not retried: a push whose answer was lost may have happened (the run fails and resumes instead).
            await Call("stage entries for", () => db.ListRightPushAsync(key, chunk), attempts: 1, cancellationToken);
        }
        _currentCount += batch.Length;
    }

    /// <summary>The records written since the last prepare are in their staging list (durable as the server's
    /// persistence settings make any write); its key is the token.</summary>
    public ValueTask<PreparedOutput> PrepareAsync(CancellationToken cancellationToken)
    {
        if (_current is null || _currentCount == 0)
        {
            return ValueTask.FromResult(new PreparedOutput("", []));
        }
        string token = _current;
        long count = _currentCount;
        (_current, _currentCount) = (null, 0);
        return ValueTask.FromResult(new PreparedOutput(token, [$"redis stream {_options.Stream}: {count:N0} entries staged in {token}"]));
    }

    public async ValueTask CommitAsync(string token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (token.Length == 0)
        {
            return;
        }
        while (!await CommitChunkAsync(token, cancellationToken))
        {
        }
        Interlocked.Increment(ref _commits);
    }

    /// <summary>One script call: moves up to <see cref="ChunkSize"/> staged entries; true once the token is committed.</summary>
    internal async Task<bool> CommitChunkAsync(string token, CancellationToken cancellationToken)
    {
        var db = await _link.DatabaseAsync(cancellationToken);
        RedisKey[] keys = [token, _options.Stream, "sluice:committed:" + token];
        RedisValue[] args = [ChunkSize, _options.MaxLen?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "", (long)MarkerLifetime.TotalSeconds];
        // Retried: each call is atomic, and a call whose answer was lost is found done (or further on) by the next.
        var result = (RedisResult[])(await Call("commit staged entries to", () => db.ScriptEvaluateAsync(MoveScript, keys, args), _retry.Attempts, cancellationToken))!;
        Interlocked.Add(ref _published, (long)result[0]);
        return (long)result[1] == 1;
    }

    /// <summary>Deletes the unit being written. Prepared units stay: a checkpoint may hold their tokens, which the
    /// next run commits before it discards what is left of this run (<see cref="DiscardAbandonedAsync"/>).</summary>
    public async ValueTask AbortAsync()
    {
        if (_current is not { } key || _connection is null)
        {
            return;
        }
        try
        {
            var db = await _link.DatabaseAsync(CancellationToken.None);
            await db.KeyDeleteAsync(key);
        }
        catch (Exception e) when (RedisConnection.IsRedisFailure(e))
        {
            // The server is unreachable: the next run discards it.
        }
        (_current, _currentCount) = (null, 0);
    }

    /// <summary>Deletes the staging lists an earlier run left (its committed tokens were committed first).</summary>
    public async ValueTask DiscardAbandonedAsync(string runId, CancellationToken cancellationToken)
    {
        if (_connection is null)
        {
            return;
        }
        var db = await _link.DatabaseAsync(cancellationToken);
        string pattern = Escape(_prefix + runId + ":") + "*";
        foreach (var server in _link.Multiplexer.GetServers().Where(s => s.IsConnected && !s.IsReplica))
        {
            await foreach (var key in server.KeysAsync(db.Database, pattern))
            {
                await db.KeyDeleteAsync(key);
            }
        }
    }

    public ValueTask DisposeAsync() => _link.DisposeAsync();

    private static string Escape(string glob) =>
        string.Concat(glob.Select(c => c is '*' or '?' or '[' or ']' or '\\' ? "\\" + c : c.ToString()));

    private Task<T> Call<T>(string doing, Func<Task<T>> call, int attempts, CancellationToken cancellationToken) =>
        _connection!.RetryAsync(_retry with { Attempts = attempts }, $"{doing} stream '{_options.Stream}' at", call, cancellationToken);

}
