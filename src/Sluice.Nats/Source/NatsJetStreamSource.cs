using System.Runtime.CompilerServices;
using Apache.Arrow;
using Apache.Arrow.Types;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Sluice.Extensibility;

namespace Sluice.Nats.Source;

/// <summary>
/// The <c>nats_jetstream</c> source. Exactly once rests on one rule: <b>messages are delivered to the pipeline in
/// ascending stream sequence, each once, so at a committed position every message of the consumer at or below it is
/// committed and none above it is.</b> The server keeps that order for a pull consumer that has nothing pending, and
/// the source keeps the rest true:
/// <list type="number">
/// <item>At the start of a run, a consumer that delivered past the pipeline's position, has messages pending or is
/// configured otherwise is deleted and created again to start right after the position (a pipeline without a position
/// uses the consumer's acknowledgement floor): what a dead run had been given is delivered again, in order, at once —
/// rather than after <c>ack_wait</c>, interleaved with newer messages.</item>
/// <item>A message at or below the last sequence delivered (a redelivery after <c>ack_wait</c>) is not delivered again:
/// it is acknowledged at once when a committed checkpoint covers it, else when one does.</item>
/// <item>Every delivery has the next consumer sequence; a gap means a message was sent but never received (the
/// connection dropped mid-fetch), and the consumer is created again right after the last <i>committed</i> sequence:
/// what it delivers again up to the last sequence delivered is handled as in 2. Not right after the last sequence
/// delivered, because a consumer created at a start sequence may report its acknowledgement floor just below it
/// (nats-server sets it so at creation; 2.9.10 reports 0 until the first acknowledgement), and a run that then died
/// before its first checkpoint would start the next one from that floor, past messages nobody committed.</item>
/// </list>
/// Messages are acknowledged in <see cref="CommittedAsync"/>. Emits one batch per fetch; without <c>--follow</c> it ends
/// once a fetch finds nothing new or it has read past what the stream held at the start; with it, it polls every
/// <c>FollowPoll</c> and emits an empty batch each time.
/// </summary>
internal sealed class NatsJetStreamSource : IReplayableSource, ILaggingSource, INamedDataset
{
    private readonly NatsJetStreamSourceOptions _options;
    private readonly NatsAccess? _access;
    private readonly MessageFields _fields;
    private readonly int _batchSize;
    private readonly RetryPolicy _retry;
    private readonly TimeSpan? _follow;
    private readonly NatsLink _link;

    // Messages delivered (or redelivered) and not yet acknowledged, by stream sequence; the reader adds, commits remove.
    private readonly SortedDictionary<ulong, INatsJSMsg<byte[]>> _unacknowledged = [];
    private readonly Lock _lock = new();
    private ulong _committed; // under _lock
    private volatile bool _readEnded;
    private string _created = ""; // the stream's creation time, in every position
    private long _recordsBehind = -1; // -1 until the first fetch

    public NatsJetStreamSource(NatsJetStreamSourceOptions options, NatsAccess? access, MessageFields fields, BuildContext context)
    {
        _options = options;
        _access = access;
        _fields = fields;
        _batchSize = options.BatchSize ?? context.BatchRows(Math.Max(fields.Names.Count, 1));
        _retry = context.Resilience.Retry;
        _link = new NatsLink(access, _retry, "source");
        _follow = context.FollowPoll;
        Consumer = options.Consumer ?? NatsNames.Durable("sluice", context.PipelineName, context.StageName);
        Schema = new Schema(fields.Names.Select(n => new Field(n, StringType.Default, nullable: true)), null);
    }

    public Schema Schema { get; }

    public bool ContinuesAcrossRuns => true;

    /// <summary>The consumer's pending count after the newest message fetched (its metadata carries it, so knowing
    /// costs no call); 0 after a fetch that found nothing.</summary>
    public long? RecordsBehind => Volatile.Read(ref _recordsBehind) is >= 0 and var behind ? behind : null;

    /// <summary>The stream; without a server (the pipeline only checked) the namespace is plain <c>nats</c>.</summary>
    public LineageDataset Dataset => _access?.Dataset(_options.Stream) ?? new("nats", _options.Stream);

    /// <summary>The durable consumer's name.</summary>
    public string Consumer { get; }

    /// <summary>The check <c>sluice validate</c> and every run make: the stream exists, has a retention the source can
    /// read, and the server supports the subjects filter.</summary>
    public static async Task<string?> CheckStreamAsync(NatsJSContext js, NatsAccess access, NatsJetStreamSourceOptions options, CancellationToken cancellationToken)
    {
        INatsJSStream stream;
        try
        {
            stream = await js.GetStreamAsync(options.Stream, cancellationToken: cancellationToken);
        }
        catch (NatsJSApiException e) when (e.Error.Code == 404)
        {
            return $"stream '{options.Stream}' does not exist at NATS at {access.Endpoint} (create it, e.g. nats stream add {options.Stream} --subjects '…', or correct `stream`)";
        }
        if (stream.Info.Config.Retention == StreamConfigRetention.Interest)
        {
            return $"stream '{options.Stream}' at NATS at {access.Endpoint} has interest retention, which the nats_jetstream source cannot read safely (moving its consumer back to the pipeline's position deletes and creates it again, and an interest stream drops the messages no consumer is left for); use limits or workqueue retention";
        }
        if (options.Subjects is { Count: > 1 } && !SupportsFilterSubjects(js))
        {
            return $"`subjects` lists {options.Subjects.Count} subjects, and NATS at {access.Endpoint} (nats-server {js.Connection.ServerInfo?.Version}) filters a consumer by one only (2.10 or later takes several): list one, e.g. a wildcard";
        }
        return null;
    }

    private static bool SupportsFilterSubjects(NatsJSContext js) =>
        Version.TryParse((js.Connection.ServerInfo?.Version ?? "").Split('-')[0], out var version) && version >= new Version(2, 10);

    public async IAsyncEnumerable<Batch> ReadAsync(StageContext context, SourcePosition? resumeAfter,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var resume = SequencePosition.From(resumeAfter);
        bool failed = true;
        try
        {
            var js = await _link.JetStreamAsync(cancellationToken);
            var access = _link.Access;
            if (await Call("check stream", ct => CheckStreamAsync(js, access, _options, ct), cancellationToken) is { } problem)
            {
                throw new NatsStageException(problem);
            }
            var stream = await Call("read the state of stream", ct => js.GetStreamAsync(_options.Stream, cancellationToken: ct).AsTask(), cancellationToken);
            ulong lastAtStart = stream.Info.State.LastSeq;
            _created = SequencePosition.CreatedText(stream.Info.Created);
            if (resume is not null && (resume.Stream != _options.Stream || resume.Created != _created))
            {
                // Another stream, or this one deleted and created again (numbered anew): the position is not in it,
                // and the consumer was deleted with the old stream. It is read as a stream the pipeline never read.
                resume = null;
            }
            if (resume is not null && resume.Sequence > lastAtStart)
            {
                throw new NatsStageException($"stream '{_options.Stream}' at NATS at {access.Endpoint} ends at sequence {lastAtStart}, before the pipeline's position {resume.Sequence}: messages the pipeline read are gone from it. Restore the stream, or read it under another pipeline name");
            }
            var (consumer, floor) = await PrepareConsumerAsync(js, stream, resume, cancellationToken);
            lock (_lock)
            {
                _committed = floor;
            }
            ulong last = floor;                      // the last stream sequence delivered to the pipeline
            ulong nextDelivery = consumer.Info.Delivered.ConsumerSeq + 1;
            var fetch = new NatsJSFetchOpts { MaxMsgs = _batchSize };
            while (true)
            {
                var messages = new List<INatsJSMsg<byte[]>>();
                await Call("fetch messages from", async ct =>
                {
                    await foreach (var message in consumer.FetchNoWaitAsync<byte[]>(fetch, cancellationToken: ct))
                    {
                        messages.Add(message);
                    }
                    return 0;
                }, cancellationToken);
                Volatile.Write(ref _recordsBehind, messages.Count == 0 ? 0 : (long)(messages[^1].Metadata?.NumPending ?? 0));

                var deliver = new List<INatsJSMsg<byte[]>>(messages.Count);
                bool gap = false;
                foreach (var message in messages)
                {
                    var sequence = message.Metadata?.Sequence ?? throw new NatsStageException($"a message of stream '{_options.Stream}' came without its JetStream metadata");
                    if (sequence.Consumer != nextDelivery)
                    {
                        gap = true; // a delivery never arrived: the consumer goes back to right after `last`
                        break;
                    }
                    nextDelivery++;
                    if (sequence.Stream <= last)
                    {
                        await RedeliveredAsync(sequence.Stream, message, cancellationToken);
                        continue;
                    }
                    deliver.Add(message);
                    last = sequence.Stream;
                }
                if (deliver.Count > 0)
                {
                    yield return Build(deliver, last, context);
                }
                if (gap)
                {
                    consumer = await RecreateConsumerAsync(js, stream.Info.Config.Retention, Committed(), cancellationToken);
                    nextDelivery = 1;
                    continue;
                }
                if (messages.Count > 0 && (_follow is not null || last < lastAtStart))
                {
                    continue;
                }
                if (_follow is not { } poll)
                {
                    break;
                }
                await Task.Delay(poll, cancellationToken);
                yield return Batch.Empty(Schema, last == 0 ? null : new SequencePosition(_options.Stream, _created, last).ToSource());
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

    /// <summary>Acknowledges every message delivered at or below the position. Idempotent: a message acknowledged
    /// already is no longer held, and the server ignores a second acknowledgement.</summary>
    public async ValueTask CommittedAsync(SourcePosition position, CancellationToken cancellationToken)
    {
        var committed = SequencePosition.From(position)!;
        List<INatsJSMsg<byte[]>> acknowledge;
        lock (_lock)
        {
            _committed = Math.Max(_committed, committed.Sequence);
            acknowledge = _unacknowledged.TakeWhile(p => p.Key <= committed.Sequence).Select(p => p.Value).ToList();
        }
        foreach (var message in acknowledge)
        {
            var sequence = message.Metadata!.Value.Sequence.Stream;
            await Call("acknowledge messages of", async ct => { await message.AckAsync(cancellationToken: ct); return 0; }, cancellationToken);
            lock (_lock)
            {
                if (_unacknowledged.TryGetValue(sequence, out var held) && held.ReplyTo == message.ReplyTo)
                {
                    _unacknowledged.Remove(sequence);
                }
            }
        }
        if (acknowledge.Count > 0)
        {
            // Acknowledgements are published without an answer; a round trip makes sure the server has them before
            // the connection may be closed.
            await Call("acknowledge messages of", async ct => { await acknowledge[0].Connection!.PingAsync(ct); return 0; }, cancellationToken);
        }
        if (_readEnded && NothingToAcknowledge())
        {
            await _link.DisconnectAsync();
        }
    }

    public bool Reads(string file) => string.Equals(file, _options.Stream, StringComparison.Ordinal);

    /// <summary>Reads dead letters' bytes (a message's payload) back as the source reads a message.</summary>
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
            if (_fields.Read(origin.Original.Span, values) is { } error)
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

    /// <summary>The consumer to read from, where the pipeline's position says, and the sequence it starts after.</summary>
    private async Task<(INatsJSConsumer Consumer, ulong Floor)> PrepareConsumerAsync(NatsJSContext js, INatsJSStream stream,
        SequencePosition? resume, CancellationToken cancellationToken)
    {
        var existing = await Call<INatsJSConsumer?>("look up the consumer of", async ct =>
        {
            try
            {
                return await js.GetConsumerAsync(_options.Stream, Consumer, ct);
            }
            catch (NatsJSApiException e) when (e.Error.Code == 404)
            {
                return null;
            }
        }, cancellationToken);
        var retention = stream.Info.Config.Retention;
        if (existing is null && resume is null)
        {
            var created = await CreateConsumerAsync(js, retention, null, cancellationToken);
            return (created, created.Info.Delivered.StreamSeq);
        }
        // What the pipeline has committed: its position, or without one (a first run that died before its first
        // checkpoint) whatever the consumer has had acknowledged.
        ulong floor = resume?.Sequence ?? existing!.Info.AckFloor.StreamSeq;
        if (existing is not null && existing.Info.NumAckPending == 0 && existing.Info.Delivered.StreamSeq == floor && Fits(existing.Info.Config))
        {
            return (existing, floor);
        }
        return (await RecreateConsumerAsync(js, retention, floor, cancellationToken), floor);
    }

    private bool Fits(ConsumerConfig config) =>
        config.AckPolicy == ConsumerConfigAckPolicy.Explicit
        && config.AckWait == _options.AckWait
        && config.MaxDeliver is -1 or 0
        && FilterOf(config).SequenceEqual(_options.Subjects ?? [], StringComparer.Ordinal);

    private static IEnumerable<string> FilterOf(ConsumerConfig config) =>
        config.FilterSubjects is { Count: > 0 } many ? many : string.IsNullOrEmpty(config.FilterSubject) ? [] : [config.FilterSubject];

    /// <summary>Deletes the consumer and creates it again to start right after <paramref name="after"/>: a workqueue
    /// stream's consumer must start at its first message, and the ones at or below are then acknowledged and skipped.</summary>
    private async Task<INatsJSConsumer> RecreateConsumerAsync(NatsJSContext js, StreamConfigRetention retention, ulong after, CancellationToken cancellationToken)
    {
        await Call("delete the consumer of", async ct =>
        {
            try
            {
                return await js.DeleteConsumerAsync(_options.Stream, Consumer, ct);
            }
            catch (NatsJSApiException e) when (e.Error.Code == 404)
            {
                return false; // gone already: a retried delete whose answer was lost
            }
        }, cancellationToken);
        lock (_lock)
        {
            _unacknowledged.Clear(); // their acknowledgements would go to the deleted consumer; redeliveries replace them
        }
        return await CreateConsumerAsync(js, retention, after, cancellationToken);
    }

    private async Task<INatsJSConsumer> CreateConsumerAsync(NatsJSContext js, StreamConfigRetention retention, ulong? after, CancellationToken cancellationToken)
    {
        var config = new ConsumerConfig(Consumer)
        {
            AckPolicy = ConsumerConfigAckPolicy.Explicit,
            AckWait = _options.AckWait,
            MaxDeliver = -1,
            MaxAckPending = -1,
            Description = "Sluice nats_jetstream source: acknowledged once each checkpoint commits; deleted and created again to move it back to the pipeline's position",
        };
        if (_options.Subjects is { Count: 1 } one)
        {
            config.FilterSubject = one[0];
        }
        else if (_options.Subjects is { Count: > 1 } many)
        {
            config.FilterSubjects = [.. many];
        }
        if (retention == StreamConfigRetention.Workqueue)
        {
            config.DeliverPolicy = ConsumerConfigDeliverPolicy.All;
        }
        else if (after is { } sequence)
        {
            config.DeliverPolicy = ConsumerConfigDeliverPolicy.ByStartSequence;
            config.OptStartSeq = sequence + 1;
        }
        else
        {
            config.DeliverPolicy = _options.Start == NatsJetStreamStart.New ? ConsumerConfigDeliverPolicy.New : ConsumerConfigDeliverPolicy.All;
        }
        return await Call("create the consumer of", ct => js.CreateOrUpdateConsumerAsync(_options.Stream, config, ct).AsTask(), cancellationToken);
    }

    /// <summary>A message delivered again: acknowledged now when a committed checkpoint covers it, else held for the
    /// commit that will (this delivery's acknowledgement is the one the server takes now).</summary>
    private async Task RedeliveredAsync(ulong sequence, INatsJSMsg<byte[]> message, CancellationToken cancellationToken)
    {
        bool committed;
        lock (_lock)
        {
            committed = sequence <= _committed;
            if (!committed)
            {
                _unacknowledged[sequence] = message;
            }
        }
        if (committed)
        {
            await Call("acknowledge messages of", async ct => { await message.AckAsync(cancellationToken: ct); return 0; }, cancellationToken);
        }
    }

    private Batch Build(List<INatsJSMsg<byte[]>> messages, ulong last, StageContext context)
    {
        var builders = NewBuilders(messages.Count);
        var values = new string?[_fields.Names.Count];
        var kept = new List<INatsJSMsg<byte[]>>(messages.Count);
        foreach (var message in messages)
        {
            byte[] payload = message.Data ?? [];
            if (_fields.Read(payload, values) is { } error)
            {
                context.DeadLetter(new RowOrigin(_options.Stream, PositionOf(message), payload), DeadLetterReason.Parse, error.Field, error.Rule, error.Message);
                continue;
            }
            Append(builders, values);
            kept.Add(message);
        }
        context.RecordsRead(messages.Count);
        lock (_lock)
        {
            foreach (var message in messages)
            {
                _unacknowledged[message.Metadata!.Value.Sequence.Stream] = message;
            }
        }
        var position = new SequencePosition(_options.Stream, _created, last).ToSource();
        if (kept.Count == 0)
        {
            return Batch.Empty(Schema, position);
        }
        var data = new RecordBatch(Schema, builders.Select(b => (IArrowArray)b.Build()), kept.Count);
        return new Batch(data, new RowOrigins(new MessageRows(_options.Stream, kept)), position);
    }

    /// <summary>A message's place, the same in every run: <c>sequence:subject</c>.</summary>
    internal static string PositionOf(INatsJSMsg<byte[]> message) =>
        $"{message.Metadata!.Value.Sequence.Stream.ToString(System.Globalization.CultureInfo.InvariantCulture)}:{message.Subject}";

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

    private Task<T> Call<T>(string doing, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
        _access!.RetryAsync(_retry, $"{doing} stream '{_options.Stream}' (consumer '{Consumer}') at", call, cancellationToken);

    private ulong Committed()
    {
        lock (_lock)
        {
            return _committed;
        }
    }

    private bool NothingToAcknowledge()
    {
        lock (_lock)
        {
            return _unacknowledged.Count == 0;
        }
    }

    private sealed class MessageRows(string stream, List<INatsJSMsg<byte[]>> messages) : IOriginalRows
    {
        public string Input => stream;
        public int Count => messages.Count;
        public string Position(int index) => PositionOf(messages[index]);
        public ReadOnlyMemory<byte> Bytes(int index) => messages[index].Data ?? [];
    }
}
