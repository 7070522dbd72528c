using System.IO.Hashing;
using System.Net;
using System.Text;
using Apache.Arrow;
using Sluice.Connectors.Jsonl;
using Sluice.Execution;
using Sluice.Records;

namespace Sluice.Connectors.Http;

/// <summary>
/// The <c>http</c> sink. Consumes when: a batch arrives; it is sent before <see cref="WriteAsync"/> returns, in
/// requests of at most <c>max_records_per_request</c>, <c>max_requests_in_flight</c> at a time, paced to
/// <c>requests_per_second</c>. Backpressures when: the receiver is slower than upstream (or
/// failing, while the stage retries). Delivery: at least once to the receiver, each request with an idempotency key
/// that depends only on the run and the input position of its first record — the same for a retried request and for
/// one a resumed run sends again — so a receiver that deduplicates by key sees each record once. Prepare and commit
/// have nothing to do: what was sent is sent.
/// </summary>
internal sealed class HttpSink : ISink, INamedDataset
{
    /// <summary>Named by the URL without its query (where API keys travel) or user info.</summary>
    public LineageDataset Dataset => LineageDataset.ForUrl(_options.Url);

    private readonly HttpSinkOptions _options;
    private readonly IReadOnlyDictionary<string, string> _headers;
    private readonly Schema _schema;
    private readonly FieldType[] _types;
    private readonly string _runId;
    private readonly HttpClient _client = new() { Timeout = Timeout.InfiniteTimeSpan }; // the stage's resilience timeout applies
    private long _requests;
    private readonly RatePacer? _pacer;

    public HttpSink(HttpSinkOptions options, IReadOnlyDictionary<string, string> headers, Schema schema, FieldType[] types, string runId)
    {
        _options = options;
        _headers = headers;
        _schema = schema;
        _types = types;
        _runId = runId;
        _pacer = options.RequestsPerSecond is { } perSecond ? new RatePacer(perSecond) : null;
    }

    public bool WritesAreRetrySafe => true;

    public IReadOnlyList<string> Published => _requests == 0 ? [] : [$"{_options.Url} ({_requests:N0} requests)"];

    /// <summary>Sends the batch in requests, up to <c>max_requests_in_flight</c> at a time and no faster than
    /// <c>requests_per_second</c>; returns when every request was answered with success.</summary>
    public async ValueTask WriteAsync(Batch batch, StageContext context, CancellationToken cancellationToken)
    {
        var offsets = Enumerable.Range(0, (batch.Length + _options.MaxRecordsPerRequest - 1) / _options.MaxRecordsPerRequest)
            .Select(i => i * _options.MaxRecordsPerRequest);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.MaxRequestsInFlight, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(offsets, parallel, (offset, ct) => SendAsync(batch, offset, ct));
    }

    private async ValueTask SendAsync(Batch batch, int offset, CancellationToken cancellationToken)
    {
        int count = Math.Min(_options.MaxRecordsPerRequest, batch.Length - offset);
        if (_pacer is not null)
        {
            await _pacer.WaitAsync(1, cancellationToken);
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, _options.Url) { Content = Body(batch.Data, offset, count) };
        foreach (var (name, value) in _headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        request.Headers.Add("Idempotency-Key", IdempotencyKey(batch.Origins[offset], count));
        using var response = await _client.SendAsync(request, cancellationToken);
        Check(response.StatusCode);
        Interlocked.Increment(ref _requests);
    }

    private ByteArrayContent Body(RecordBatch data, int offset, int count)
    {
        using var buffer = new MemoryStream();
        using (var writer = new JsonlSinkWriter(buffer, _schema, _types))
        {
            writer.Write(data, offset, count);
            writer.Finish();
        }
        var content = new ByteArrayContent(buffer.ToArray());
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-ndjson");
        return content;
    }

    /// <summary>The run, then a hash of where the request's first record came from and how many records it holds.
    /// A resumed run reads the same records into the same batches from the same positions, so the keys repeat.</summary>
    private string IdempotencyKey(RowOrigin first, int count)
    {
        var hash = new XxHash64();
        // A NUL between the two: no input name or position contains one, so ("a", "bc") and ("ab", "c") differ.
        hash.Append(Encoding.UTF8.GetBytes($"{first.Input}\0{first.Position}"));
        Span<byte> number = stackalloc byte[sizeof(long)];
        BitConverter.TryWriteBytes(number, (long)count);
        hash.Append(number);
        return $"{_runId}-{Convert.ToHexStringLower(hash.GetCurrentHash())}";
    }

    /// <summary>Any answer but 2xx fails the request with its status; the stage's <c>retry.on</c> says which statuses
    /// are tried again (by default 408, 429 and 5xx: the receiver's passing trouble, not a wrong request).</summary>
    private static void Check(HttpStatusCode status)
    {
        int code = (int)status;
        if (code is < 200 or >= 300)
        {
            throw new HttpRequestException($"the receiver answered {code} {status}", null, status);
        }
    }

    public ValueTask<PreparedOutput> PrepareAsync(CancellationToken cancellationToken) => ValueTask.FromResult(new PreparedOutput("", []));

    public ValueTask CommitAsync(string token, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask AbortAsync() => ValueTask.CompletedTask;

    public ValueTask DiscardAbandonedAsync(string runId, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
