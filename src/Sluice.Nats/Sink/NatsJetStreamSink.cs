using System.Text;
using System.Text.Json;
using Apache.Arrow;
using NATS.Client.JetStream;
using Sluice.Extensibility;

namespace Sluice.Nats.Sink;

/// <summary>
/// The <c>nats_jetstream</c> sink, in two phases. <see cref="WriteAsync"/> stages each record — its JSON payload and
/// its message id — in a file of this sink's own per checkpoint, <c>{staging}/{run}-{attempt}-{unit}.staged</c>;
/// <see cref="PrepareAsync"/> fsyncs it and returns its path as the token. Nothing is published before the checkpoint
/// naming it is stored. <see cref="CommitAsync"/> publishes the file's messages in order, each with its
/// <c>Nats-Msg-Id</c>, waits for every acknowledgement, then deletes the file. A commit that a crash or a failure cut
/// short is done again from the file's start (by the resumed run, or by the retry): the stream's duplicate window
/// drops the messages it stored already. A token whose file is gone was committed.
/// </summary>
internal sealed class NatsJetStreamSink : ISink, INamedDataset
{
    private readonly NatsJetStreamSinkOptions _options;
    private readonly NatsAccess? _access;
    private readonly string _stream;
    private readonly RetryPolicy _retry;
    private readonly string _folder;
    private readonly string _idPrefix;
    private readonly string _runId;
    private readonly string _attempt; // this sink instance's own, so that a resumed run's units never take a crashed attempt's names
    private readonly NatsLink _link;
    private StagingFile? _current;
    private long _unit;
    private long _published;
    private long _duplicates;
    private int _commits;

    public NatsJetStreamSink(NatsJetStreamSinkOptions options, NatsAccess? access, string stream, BuildContext context)
    {
        _options = options;
        _access = access;
        _stream = stream;
        _retry = context.Resilience.Retry;
        _link = new NatsLink(access, _retry, "sink");
        _folder = StagingFolder(options, context);
        _idPrefix = $"sluice:{context.PipelineName}:{context.StageName}:";
        _runId = context.RunId;
        _attempt = Guid.NewGuid().ToString("N")[..8];
    }

    /// <summary>The stream that stores the subject; without a server (the pipeline only checked) the namespace is
    /// plain <c>nats</c>.</summary>
    public LineageDataset Dataset => _access?.Dataset(_stream) ?? new("nats", _stream);

    /// <summary>Where a sink stages its checkpoints: <c>{staging_path}/{pipeline}/{stage}</c>.</summary>
    public static string StagingFolder(NatsJetStreamSinkOptions options, BuildContext context) =>
        Path.Combine(context.Resolve(options.StagingPath), Safe(context.PipelineName), Safe(context.StageName));

    /// <summary>Messages published at once before their acknowledgements are awaited.</summary>
    public int Window { get; init; } = 256;

    public IReadOnlyList<string> Published => Volatile.Read(ref _commits) == 0 ? [] :
        [$"nats subject {_options.Subject} (stream {_stream}): {Interlocked.Read(ref _published):N0} messages published in {_commits:N0} commits"
            + (Interlocked.Read(ref _duplicates) is > 0 and var d ? $", {d:N0} dropped by the stream as duplicates" : "")];

    /// <summary>The message id of a record: the sink's pipeline and stage, and the record's origin — the same in every run.</summary>
    public string MessageId(RowOrigin origin) => Clean($"{_idPrefix}{origin.Input}:{origin.Position}");

    public ValueTask WriteAsync(Batch batch, StageContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Length == 0)
        {
            return ValueTask.CompletedTask;
        }
        _current ??= new StagingFile(Path.Combine(_folder, $"{Safe(_runId)}-{_attempt}-{Interlocked.Increment(ref _unit):D6}.staged"));
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using var json = new Utf8JsonWriter(buffer);
        for (int row = 0; row < batch.Length; row++)
        {
            buffer.ResetWrittenCount();
            json.Reset(buffer);
            RecordJson.Write(json, batch.Data, row);
            json.Flush();
            _current.Append(MessageId(batch.Origins[row]), buffer.WrittenSpan);
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>The records written since the last prepare are in their staging file, fsynced; its path is the token.</summary>
    public ValueTask<PreparedOutput> PrepareAsync(CancellationToken cancellationToken)
    {
        if (_current is null || _current.Count == 0)
        {
            _current?.Dispose();
            _current = null;
            return ValueTask.FromResult(new PreparedOutput("", []));
        }
        var staged = _current;
        _current = null;
        staged.Seal();
        return ValueTask.FromResult(new PreparedOutput(staged.Path, [$"nats subject {_options.Subject}: {staged.Count:N0} messages staged in {staged.Path}"]));
    }

    public async ValueTask CommitAsync(string token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (token.Length == 0 || !File.Exists(token))
        {
            return; // nothing staged, or committed already (the file is deleted once every message is acknowledged)
        }
        var js = await _link.JetStreamAsync(cancellationToken);
        // Each try publishes the whole file again: a message stored by an earlier try (or by a run that died
        // mid-commit) comes back from the stream as a duplicate and is not stored twice.
        var (published, duplicates) = await _access!.RetryAsync(_retry, $"publish staged messages to subject '{_options.Subject}' (stream '{_stream}') at",
            ct => PublishFileAsync(js, token, ct), cancellationToken, tryTimeout: TimeSpan.FromMinutes(10));
        File.Delete(token);
        Interlocked.Add(ref _published, published);
        Interlocked.Add(ref _duplicates, duplicates);
        Interlocked.Increment(ref _commits);
    }

    /// <summary>Publishes the file's messages in order, up to <see cref="Window"/> awaiting their acknowledgement at
    /// once; the messages stored anew and those the stream dropped as duplicates.</summary>
    internal async Task<(long Published, long Duplicates)> PublishFileAsync(NatsJSContext js, string path, CancellationToken cancellationToken)
    {
        long published = 0, duplicates = 0;
        var inFlight = new Queue<Task<NATS.Client.JetStream.Models.PubAckResponse>>();
        async Task Settle()
        {
            var ack = await inFlight.Dequeue();
            if (!ack.Duplicate)
            {
                ack.EnsureSuccess(); // (which takes a duplicate for a failure)
            }
            if (ack.Stream != _stream)
            {
                throw new NatsStageException($"subject '{_options.Subject}' is stored by stream '{ack.Stream}', not '{_stream}'");
            }
            if (ack.Duplicate)
            {
                duplicates++;
            }
            else
            {
                published++;
            }
        }
        foreach (var (id, payload) in StagingFile.Read(path))
        {
            var opts = new NatsJSPubOpts { MsgId = id, ExpectedStream = _stream };
            inFlight.Enqueue(js.PublishAsync(_options.Subject, payload, opts: opts, cancellationToken: cancellationToken).AsTask());
            if (inFlight.Count >= Window)
            {
                await Settle();
            }
        }
        while (inFlight.Count > 0)
        {
            await Settle();
        }
        return (published, duplicates);
    }

    /// <summary>Deletes the unit being written. Prepared units stay: a checkpoint may hold their tokens, which the
    /// next run commits before it discards what is left of this run (<see cref="DiscardAbandonedAsync"/>).</summary>
    public ValueTask AbortAsync()
    {
        if (_current is { } unit)
        {
            unit.Dispose();
            File.Delete(unit.Path);
            _current = null;
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>Deletes the staging files an earlier run left (the tokens its committed checkpoint names were committed first).</summary>
    public ValueTask DiscardAbandonedAsync(string runId, CancellationToken cancellationToken)
    {
        if (Directory.Exists(_folder))
        {
            foreach (string file in Directory.EnumerateFiles(_folder, $"{Safe(runId)}-*.staged"))
            {
                File.Delete(file);
            }
        }
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _current?.Dispose();
        await _link.DisposeAsync();
    }

    private static string Safe(string name) =>
        string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' ? c : '_'));

    /// <summary>A header value cannot hold line breaks or other control characters: they become '?'.</summary>
    private static string Clean(string id) =>
        id.Any(char.IsControl) ? string.Concat(id.Select(c => char.IsControl(c) ? '?' : c)) : id;
}
