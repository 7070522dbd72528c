using System.Runtime.CompilerServices;
using Apache.Arrow;
using Apache.Arrow.Types;
using Sluice.Extensibility;
using StackExchange.Redis;

namespace Sluice.Redis.Source;

/// <summary>
/// The <c>redis_stream</c> source. Exactly once rests on one rule: <b>at a committed position, every entry of this
/// consumer's pending list with an id at or below the position's id for its stream is committed, and no entry above
/// it is.</b> The delivery order keeps it true: per stream, ascending ids only. A run
/// <list type="number">
/// <item>takes over the pending entries of the consumer the position names when that is another name (the previous
/// run, on another machine: only one run of a pipeline lives at a time);</item>
/// <item>claims (XAUTOCLAIM) entries above the position that other consumers have had pending longer than
/// <c>claim_idle</c> — only at its start, since a claim later would bring ids below what it already delivered;</item>
/// <item>reads its own pending list in id order: entries at or below the position are acknowledged and skipped (their
/// checkpoint committed, the acknowledgement was lost), the others delivered;</item>
/// <item>reads new entries (<c>&gt;</c>), whose ids are above every pending one.</item>
/// </list>
/// Entries are acknowledged in <see cref="CommittedAsync"/>, after the checkpoint covering them committed. Emits a
/// batch per request per stream (a batch never spans two streams); without <c>--follow</c> it ends when no stream has
/// anything new, with it it polls every <c>FollowPoll</c> and emits an empty batch each time.
/// </summary>
internal sealed class RedisStreamSource : IReplayableSource, ILaggingSource, IAsyncDisposable, INamedDataset
{
    private readonly RedisStreamSourceOptions _options;
    private readonly RedisConnection? _connection;
    private readonly EntryFields _fields;
    private readonly int _batchSize;
    private readonly RetryPolicy _retry;
    private readonly TimeSpan? _follow;
    private readonly string _consumer;

    // Entries delivered and not yet acknowledged, per stream, in ascending order (the reader adds, commits remove).
    private readonly Dictionary<string, List<StreamId>> _delivered = new(StringComparer.Ordinal);
    private readonly RedisLink _link;
    private volatile bool _readEnded;

    // The group's lag, summed over the streams (-1: not known), and when it was last asked for (Environment.TickCount64; -1: never).
    private long _recordsBehind = -1;
    private long _lagAskedAt = -1;
    private static readonly TimeSpan LagInterval = TimeSpan.FromSeconds(1);

    public RedisStreamSource(RedisStreamSourceOptions options, RedisConnection? connection, EntryFields fields, BuildContext context)
    {
        _options = options;
        _connection = connection;
        _fields = fields;
        _batchSize = options.BatchSize ?? context.BatchRows(Math.Max(fields.Names.Count, 1));
        _retry = context.Resilience.Retry;
        _link = new RedisLink(connection, _retry, "source");
        _follow = context.FollowPoll;
        _consumer = options.Consumer ?? DefaultConsumer(context);
        Schema = new Schema(fields.Names.Select(n => new Field(n, StringType.Default, nullable: true)), null);
        foreach (string stream in options.Streams)
        {
            _delivered[stream] = [];
        }
    }

    /// <summary>The stream, or the streams' keys joined by commas: a source is one dataset. Without a connection (the
    /// pipeline only checked) the namespace is plain <c>redis</c>.</summary>
    public LineageDataset Dataset => _connection?.Dataset(string.Join(",", _options.Streams)) ?? new("redis", string.Join(",", _options.Streams));

    /// <summary>The consumer name when none is written: stable across runs of one pipeline on one machine.</summary>
    public static string DefaultConsumer(BuildContext context) => $"{Environment.MachineName}/{context.PipelineName}/{context.StageName}";

    public Schema Schema { get; }

    public bool ContinuesAcrossRuns => true;

    public string Consumer => _consumer;

    /// <summary>Entries of the streams not yet delivered to the group (XINFO GROUPS' lag, Redis 7 and later), asked
    /// for at most once a second while new entries are read; 0 once a read finds none; null before, or when the
    /// server cannot say (an older Redis, entries deleted from the middle of a stream).</summary>
    public long? RecordsBehind => Volatile.Read(ref _recordsBehind) is >= 0 and var behind ? behind : null;

    public async IAsyncEnumerable<Batch> ReadAsync(StageContext context, SourcePosition? resumeAfter,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var resume = ReadPosition.From(resumeAfter);
        var last = new Dictionary<string, StreamId>(StringComparer.Ordinal);
        foreach (var (stream, id) in resume?.Streams ?? new Dictionary<string, StreamId>())
        {
            last[stream] = id;
        }
        bool failed = true;
        try
        {
            var db = await _link.DatabaseAsync(cancellationToken);
            foreach (string stream in _options.Streams)
            {
                await CreateGroupAsync(db, stream, cancellationToken);
            }
            foreach (string stream in _options.Streams)
            {
                StreamId committed = resume?.Last(stream) ?? StreamId.Zero;
                if (resume is { Consumer: var previous } && previous.Length > 0 && previous != _consumer)
                {
                    await TakeOverAsync(db, stream, previous, cancellationToken);
                }
                await ClaimIdleAsync(db, stream, committed, cancellationToken);
                StreamId cursor = StreamId.Zero;
                while (true)
                {
                    var entries = await Call("read the pending entries of", stream,
                        () => db.StreamReadGroupAsync(stream, _options.Group, _consumer, cursor.ToString(), _batchSize), cancellationToken);
                    if (entries.Length == 0)
                    {
                        break;
                    }
                    var acknowledge = new List<RedisValue>();
                    var deliver = new List<StreamEntry>(entries.Length);
                    foreach (var entry in entries)
                    {
                        var id = StreamId.Parse(entry.Id.ToString());
                        cursor = id;
                        if (entry.IsNull || entry.Values is not { Length: > 0 })
                        {
                            acknowledge.Add(entry.Id); // deleted from the stream while pending: nothing to read
                        }
                        else if (id <= committed)
                        {
                            acknowledge.Add(entry.Id); // its checkpoint committed before the acknowledgement was lost
                        }
                        else
                        {
                            deliver.Add(entry);
                        }
                    }
                    if (acknowledge.Count > 0)
                    {
                        var ids = acknowledge.ToArray();
                        await Call("acknowledge entries of", stream, () => db.StreamAcknowledgeAsync(stream, _options.Group, ids), cancellationToken);
                    }
                    if (deliver.Count > 0)
                    {
                        yield return Build(stream, deliver, last, context);
                    }
                }
            }

            var positions = _options.Streams.Select(s => new StackExchange.Redis.StreamPosition(s, StackExchange.Redis.StreamPosition.NewMessages)).ToArray();
            while (true)
            {
                var streams = await Call("read new entries of", string.Join(", ", _options.Streams),
                    () => db.StreamReadGroupAsync(positions, _options.Group, _consumer, _batchSize), cancellationToken);
                bool any = false;
                foreach (var stream in streams)
                {
                    if (stream.Entries.Length > 0)
                    {
                        any = true;
                        yield return Build(stream.Key.ToString(), stream.Entries, last, context);
                    }
                }
                if (any)
                {
                    await AskLagAsync(db);
                    continue;
                }
                Volatile.Write(ref _recordsBehind, 0); // a read of new entries found none: nothing is waiting
                if (_follow is not { } poll)
                {
                    break;
                }
                await Task.Delay(poll, cancellationToken);
                yield return Batch.Empty(Schema, last.Count == 0 ? null : new ReadPosition(_consumer, new Dictionary<string, StreamId>(last)).ToSource());
            }
            failed = false;
        }
        finally
        {
            _readEnded = true;
            if (failed || NothingToAcknowledge())
            {
                await _link.DisconnectAsync();
            }
        }
    }

    /// <summary>Updates <see cref="RecordsBehind"/> at most once per <see cref="LagInterval"/>: one XINFO GROUPS a stream.
    /// A metric only: a failure leaves the last value and never touches the run.</summary>
    private async Task AskLagAsync(IDatabase db)
    {
        long now = Environment.TickCount64;
        if (_lagAskedAt >= 0 && now - _lagAskedAt < (long)LagInterval.TotalMilliseconds)
            return;
        _lagAskedAt = now;
        try
        {
            long behind = 0;
            foreach (string stream in _options.Streams)
            {
                var groups = await db.StreamGroupInfoAsync(stream);
                if (groups.FirstOrDefault(g => g.Name == _options.Group) is not { Lag: { } lag })
                {
                    Volatile.Write(ref _recordsBehind, -1);
                    return;
                }
                behind += lag;
            }
            Volatile.Write(ref _recordsBehind, behind);
        }
        catch (RedisException)
        {
        }
    }

    /// <summary>Acknowledges every entry delivered with an id at or below the position's, per stream. Idempotent: an
    /// entry acknowledged already is not acknowledged again (and XACK of one would do nothing).</summary>
    public async ValueTask CommittedAsync(SourcePosition position, CancellationToken cancellationToken)
    {
        var committed = ReadPosition.From(position)!;
        var db = await _link.DatabaseAsync(cancellationToken);
        foreach (var (stream, upTo) in committed.Streams)
        {
            if (!_delivered.TryGetValue(stream, out var delivered))
            {
                continue;
            }
            RedisValue[] ids;
            lock (delivered)
            {
                int count = 0;
                while (count < delivered.Count && delivered[count] <= upTo)
                {
                    count++;
                }
                ids = delivered.Take(count).Select(id => (RedisValue)id.ToString()).ToArray();
            }
            foreach (var chunk in ids.Chunk(1000))
            {
                await Call("acknowledge entries of", stream, () => db.StreamAcknowledgeAsync(stream, _options.Group, chunk), cancellationToken);
                lock (delivered)
                {
                    delivered.RemoveRange(0, chunk.Length);
                }
            }
        }
        if (_readEnded && NothingToAcknowledge())
        {
            await _link.DisconnectAsync();
        }
    }

    public bool Reads(string file) => _options.Streams.Contains(file, StringComparer.Ordinal);

    /// <summary>Closes the connection when the run ends, however it ended (a failed run may leave entries delivered
    /// but not acknowledged, and the connection open for them).</summary>
    public ValueTask DisposeAsync() => _link.DisposeAsync();

    /// <summary>Reads dead letters' bytes (an entry's fields as a JSON object) back as the source reads an entry.</summary>
    public Batch Parse(IOriginalRows records, StageContext context)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(context);
        var origins = new RowOrigins(records);
        var builders = NewBuilders(records.Count);
        var values = new string?[_fields.Names.Count];
        var kept = new List<int>(records.Count);
        for (int i = 0; i < records.Count; i++)
        {
            var origin = origins[i];
            var fields = EntryFields.FromJson(origin.Original.Span);
            var error = fields is null
                ? new EntryError("not_an_entry", null, "the dead letter's bytes are not an entry's fields as a JSON object (field → string)")
                : _fields.Read(fields, values);
            if (error is not null)
            {
                context.DeadLetter(origin, DeadLetterReason.Parse, error.Field, error.Rule, error.Message);
                continue;
            }
            Append(builders, values);
            kept.Add(i);
        }
        var data = new RecordBatch(Schema, builders.Select(b => (IArrowArray)b.Build()), kept.Count);
        return new Batch(data, origins.Select(kept.ToArray()));
    }

    private Batch Build(string stream, IReadOnlyList<StreamEntry> entries, Dictionary<string, StreamId> last, StageContext context)
    {
        var builders = NewBuilders(entries.Count);
        var values = new string?[_fields.Names.Count];
        var keptIds = new List<string>(entries.Count);
        var keptFields = new List<List<(byte[], byte[])>>(entries.Count);
        var ids = new List<StreamId>(entries.Count);
        foreach (var entry in entries)
        {
            string id = entry.Id.ToString();
            ids.Add(StreamId.Parse(id));
            var fields = entry.Values.Select(v => ((byte[])v.Name!, (byte[])v.Value!)).ToList();
            if (_fields.Read(fields, values) is { } error)
            {
                context.DeadLetter(new RowOrigin(stream, id, _fields.ToJson(fields)), DeadLetterReason.Parse, error.Field, error.Rule, error.Message);
                continue;
            }
            Append(builders, values);
            keptIds.Add(id);
            keptFields.Add(fields);
        }
        context.RecordsRead(entries.Count);
        var delivered = _delivered[stream];
        lock (delivered)
        {
            delivered.AddRange(ids);
        }
        last[stream] = ids[^1];
        var position = new ReadPosition(_consumer, new Dictionary<string, StreamId>(last)).ToSource();
        if (keptIds.Count == 0)
        {
            return Batch.Empty(Schema, position);
        }
        var data = new RecordBatch(Schema, builders.Select(b => (IArrowArray)b.Build()), keptIds.Count);
        return new Batch(data, new RowOrigins(new EntryRows(stream, keptIds, keptFields, _fields)), position);
    }

    private StringArray.Builder[] NewBuilders(int capacity) =>
        Enumerable.Range(0, _fields.Names.Count).Select(_ => new StringArray.Builder().Reserve(capacity)).ToArray();

    private static void Append(StringArray.Builder[] builders, string?[] values)
    {
        for (int c = 0; c < builders.Length; c++)
        {
            if (values[c] is { } value)
            {
                builders[c].Append(value);
            }
            else
            {
                builders[c].AppendNull();
            }
        }
    }

    private async Task CreateGroupAsync(IDatabase db, string stream, CancellationToken cancellationToken)
    {
        RedisValue start = _options.Start == RedisStreamStart.Latest ? "$" : "0";
        try
        {
            await Call("create the consumer group on", stream,
                () => db.StreamCreateConsumerGroupAsync(stream, _options.Group, start, createStream: true), cancellationToken);
        }
        catch (RedisStreamException e) when (e.Message.Contains("BUSYGROUP", StringComparison.Ordinal))
        {
            // The group exists: it keeps its place.
        }
    }

    /// <summary>Moves every pending entry of <paramref name="previous"/> (this pipeline's consumer in an earlier run,
    /// under another name) to this consumer: its run is over, and the position says which of them were committed.</summary>
    private async Task TakeOverAsync(IDatabase db, string stream, string previous, CancellationToken cancellationToken)
    {
        RedisValue from = "-";
        while (true)
        {
            var pending = await Call("list the pending entries of", stream,
                () => db.StreamPendingMessagesAsync(stream, _options.Group, _batchSize, previous, from, "+"), cancellationToken);
            if (pending.Length == 0)
            {
                return;
            }
            var ids = pending.Select(p => p.MessageId).ToArray();
            await Call("take over the pending entries of", stream,
                () => db.StreamClaimIdsOnlyAsync(stream, _options.Group, _consumer, 0, ids), cancellationToken);
            from = StreamId.Parse(pending[^1].MessageId.ToString()).Next().ToString();
        }
    }

    /// <summary>Claims the entries above <paramref name="committed"/> that any consumer has had pending longer than
    /// <c>claim_idle</c>; the pending-list read that follows delivers them in order with this consumer's own.</summary>
    private async Task ClaimIdleAsync(IDatabase db, string stream, StreamId committed, CancellationToken cancellationToken)
    {
        RedisValue start = committed.Next().ToString();
        long idle = (long)_options.ClaimIdle.TotalMilliseconds;
        while (true)
        {
            var claimed = await Call("claim idle entries of", stream,
                () => db.StreamAutoClaimIdsOnlyAsync(stream, _options.Group, _consumer, idle, start, _batchSize), cancellationToken);
            if (claimed.NextStartId.IsNullOrEmpty || claimed.NextStartId == "0-0")
            {
                return;
            }
            start = claimed.NextStartId;
        }
    }

    private Task<T> Call<T>(string doing, string stream, Func<Task<T>> call, CancellationToken cancellationToken) =>
        _connection!.RetryAsync(_retry, $"{doing} stream '{stream}' (group '{_options.Group}') at", call, cancellationToken);

    private bool NothingToAcknowledge() => _delivered.Values.All(d =>
    {
        lock (d)
        {
            return d.Count == 0;
        }
    });

    private sealed class EntryRows(string stream, List<string> ids, List<List<(byte[], byte[])>> fields, EntryFields reader) : IOriginalRows
    {
        public string Input => stream;
        public int Count => ids.Count;
        public string Position(int index) => ids[index];
        public ReadOnlyMemory<byte> Bytes(int index) => reader.ToJson(fields[index]);
    }
}
