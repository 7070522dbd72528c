using Sluice.Connectors.Files;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Types;
using Sluice.Connectors.Jsonl;
using Sluice.DeadLetters;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.Records;

namespace Sluice.Connectors.Http;

/// <summary>
/// The <c>http</c> source. Emits when a batch holds <c>batch_size</c> records or a page ends (a batch never spans two
/// pages; a page whose remaining records were all dead-lettered emits a zero-row batch for its position). Backpressures
/// by not fetching while the consumer has not asked for more. Completes after a page without a next link. Positions:
/// the page's URL and how many of its records were read; resuming fetches that page again and skips them.
/// </summary>
internal sealed class HttpSource : IReplayableSource, INamedDataset
{
    /// <summary>Named by the URL without its query (where API keys travel) or user info.</summary>
    public LineageDataset Dataset => LineageDataset.ForUrl(_options.Url);

    private readonly HttpSourceOptions _options;
    private readonly IReadOnlyDictionary<string, string> _headers;
    private readonly JsonlSourceColumns _columns;
    private readonly int _batchSize;
    private readonly ResiliencePolicy _resilience;

    public HttpSource(HttpSourceOptions options, IReadOnlyDictionary<string, string> headers, JsonlSourceColumns columns, int batchSize,
        ResiliencePolicy resilience)
    {
        _options = options;
        _headers = headers;
        _columns = columns;
        _batchSize = batchSize;
        _resilience = resilience;
        Schema = new Schema(columns.Names.Select(n => new Field(n, StringType.Default, nullable: true)), null);
    }

    public Schema Schema { get; }

    public async IAsyncEnumerable<Batch> ReadAsync(StageContext context, SourcePosition? resumePosition,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var resumeAfter = FilePosition.From(resumePosition); // a page's url and the records of it already read
        using var client = new HttpClient { Timeout = Timeout.InfiniteTimeSpan }; // the resilience timeout applies
        var retrying = StageResilience.Build(_resilience, context.Counters);
        var parser = new JsonlRecordReader(_columns);
        string? url = resumeAfter?.File ?? _options.Url.ToString();
        long skip = resumeAfter?.Offset ?? 0;
        while (url is not null)
        {
            byte[] page = await retrying.ExecuteAsync(static (s, ct) => s.Source.FetchAsync(s.Client, s.Url, ct), (Source: this, Client: client, Url: url), cancellationToken);
            using var document = JsonDocument.Parse(page);
            var items = Find(document.RootElement, _options.Items);
            if (items.ValueKind != JsonValueKind.Array)
            {
                throw new InvalidDataException($"page {url}: `{_options.Items}` is not an array of records");
            }
            var rows = new List<byte[]>(_batchSize);
            var lines = new List<long>(_batchSize);
            var builders = NewBuilders();
            long read = 0;
            long index = 0;
            foreach (var item in items.EnumerateArray())
            {
                index++;
                if (index <= skip)
                {
                    continue;
                }
                read++;
                byte[] raw = JsonSerializer.SerializeToUtf8Bytes(item);
                if (parser.Parse(raw) is { } error)
                {
                    context.DeadLetter(FileOrigins.At(url, index, raw), DeadLetterReason.Parse, error.Field, error.Rule, error.Message);
                }
                else
                {
                    parser.AppendTo(builders, raw);
                    rows.Add(raw);
                    lines.Add(index);
                }
                if (rows.Count == _batchSize)
                {
                    yield return Build(url, builders, rows, lines, index, read, context);
                    (rows, lines, builders, read) = (new List<byte[]>(_batchSize), new List<long>(_batchSize), NewBuilders(), 0);
                }
            }
            if (read > 0 || rows.Count > 0)
            {
                yield return Build(url, builders, rows, lines, index, read, context);
            }
            url = _options.Next is null ? null : NextUrl(document.RootElement, url);
            skip = 0;
        }
    }

    /// <summary>Pages of this API: later pages come from its next links, which may change the path and query but
    /// not the server.</summary>
    public bool Reads(string file) =>
        Uri.TryCreate(file, UriKind.Absolute, out var page) && Uri.Compare(page, _options.Url, UriComponents.SchemeAndServer,
            UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;

    public Batch Parse(IOriginalRows records, StageContext context) => JsonRecordsReplay.Parse(_columns, Schema, records, context);

    private async ValueTask<byte[]> FetchAsync(HttpClient client, string url, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        foreach (var (name, value) in _headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        using var response = await client.SendAsync(request, cancellationToken);
        int code = (int)response.StatusCode;
        if (code is < 200 or >= 300)
        {
            // The source's retry.on says which statuses are tried again (by default 408, 429 and 5xx).
            throw new HttpRequestException($"GET {url} answered {code} {response.StatusCode}", null, response.StatusCode);
        }
        return await response.Content.ReadAsByteArrayAsync(cancellationToken);
    }

    private StringColumnBuilder[] NewBuilders() =>
        Enumerable.Range(0, _columns.Count).Select(_ => new StringColumnBuilder(_batchSize)).ToArray();

    /// <summary>The batch of the records read since the last one; its position is the page and how far into it.</summary>
    private Batch Build(string url, StringColumnBuilder[] builders, List<byte[]> rows, List<long> lines, long index, long read, StageContext context)
    {
        context.RecordsRead(read);
        var data = new RecordBatch(Schema, builders.Select(b => (IArrowArray)b.Build()), rows.Count);
        return new Batch(data, new RowOrigins(new HttpSourceRows(url, rows, lines)), new FilePosition(url, index, index).ToSource());
    }

    private string? NextUrl(JsonElement page, string url)
    {
        var next = Find(page, _options.Next!);
        return next.ValueKind == JsonValueKind.String && next.GetString() is { Length: > 0 } link
            ? new Uri(new Uri(url), link).ToString() // a relative link is relative to the page
            : null;
    }

    /// <summary>The element at a dot-separated path; an undefined element when a step is missing.</summary>
    private static JsonElement Find(JsonElement root, string path)
    {
        var current = root;
        foreach (string step in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(step, out current))
            {
                return default;
            }
        }
        return current;
    }

    private sealed class HttpSourceRows(string url, List<byte[]> rows, List<long> lines) : IOriginalRows
    {
        public string Input => url;
        public int Count => rows.Count;
        public string Position(int index) => (lines[index]).ToString(System.Globalization.CultureInfo.InvariantCulture);
        public ReadOnlyMemory<byte> Bytes(int index) => rows[index];
    }
}
