using Sluice.Connectors;
using Apache.Arrow;
using Sluice.Configuration;
using Sluice.Connectors.Files;
using Sluice.Connectors.Http;
using Sluice.Execution;
using Sluice.Pipelines;

namespace Sluice;

/// <summary>
/// Options of the <c>http</c> sink, which POSTs records to a URL as JSON Lines (<c>application/x-ndjson</c>, one
/// object per record as the <c>jsonl</c> sink writes them), at most <see cref="MaxRecordsPerRequest"/> per request.
/// Every request carries an <c>Idempotency-Key</c> header derived from the run and the position of its first record
/// in the input, so a request sent again — by a retry or by a resumed run — has the same key, and a receiver that
/// keeps the keys it has processed gets each record once. Header values may name environment variables
/// (<c>${env:NAME}</c>), for secrets: they are read when the run starts and never printed.
/// </summary>
public sealed record HttpSinkOptions : ISinkOptions
{
    public const int DefaultMaxRecordsPerRequest = 1000;

    public required Uri Url { get; init; }

    /// <summary>Request headers; values may contain <c>${env:NAME}</c>.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    public int MaxRecordsPerRequest { get; init; } = DefaultMaxRecordsPerRequest;

    /// <summary>Requests of one batch sent at the same time at most (a bulkhead). The default value is 1.</summary>
    public int MaxRequestsInFlight { get; init; } = 1;

    /// <summary>Requests started per second at most (a rate limit); null for no limit.</summary>
    public double? RequestsPerSecond { get; init; }

    public static ComponentSpec Spec { get; } = new("http", StageKind.Sink,
        "POSTs records to a URL as JSON Lines, each request with an Idempotency-Key that stays the same when the request is sent again (a retry, a resumed run). Which failures are retried is `resilience.retry.on` (by default 5xx, 408, 429, timeouts and broken connections); any other answer fails the run.",
        Shape.Object(
            new OptionSpec("url", Shape.String, "Where to POST (http or https).", Required: true, Example: "https://ingest.example.com/events"),
            new OptionSpec("headers", Shape.MapOf(Shape.String),
                "Request headers. `${env:NAME}` in a value is replaced by that environment variable when the run starts, so secrets stay out of the file; header values are never printed.",
                Example: "{ Authorization: \"Bearer ${env:INGEST_TOKEN}\" }", Secret: true),
            new OptionSpec("max_records_per_request", Shape.Integer, "Records per request at most.", Default: "1000"),
            new OptionSpec("max_requests_in_flight", Shape.Integer, "Requests sent at the same time at most (a bulkhead: the sink waits for a free slot).", Default: "1"),
            new OptionSpec("requests_per_second", Shape.Number, "Requests started per second at most (a rate limit); none by default.", Example: "20")),
        Bind,
        Example: "sink:\n  type: http\n  url: https://ingest.example.com/events\n  headers: { Authorization: \"Bearer ${env:INGEST_TOKEN}\" }");

    private static HttpSinkOptions Bind(ConfigNode node)
    {
        var uri = HttpOptionValues.Url(node);
        long perRequest = node.GetInt64("max_records_per_request") ?? DefaultMaxRecordsPerRequest;
        if (perRequest is < 1 or > 1_000_000)
        {
            throw new PipelineException(node["max_records_per_request"]!.Location, "max_records_per_request must be between 1 and 1,000,000");
        }
        long inFlight = node.GetInt64("max_requests_in_flight") ?? 1;
        if (inFlight is < 1 or > 256)
        {
            throw new PipelineException(node["max_requests_in_flight"]!.Location, "max_requests_in_flight must be between 1 and 256");
        }
        double? perSecond = node.GetDouble("requests_per_second");
        if (perSecond is <= 0)
        {
            throw new PipelineException(node["requests_per_second"]!.Location, "requests_per_second must be more than 0");
        }
        return new HttpSinkOptions
        {
            Url = uri,
            Headers = HttpOptionValues.Headers(node),
            MaxRecordsPerRequest = (int)perRequest,
            MaxRequestsInFlight = (int)inFlight,
            RequestsPerSecond = perSecond,
        };
    }

    public ISink CreateSink(Schema input, BuildContext context) =>
        new HttpSink(this, SecretText.Resolve(Headers, context), input, PartFileSchema.FieldTypesOf(input, "http"), context.RunId);
}
