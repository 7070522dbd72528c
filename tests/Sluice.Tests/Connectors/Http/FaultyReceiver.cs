using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Sluice.Tests.Connectors.Http;

/// <summary>
/// A real HTTP receiver (Kestrel on a free loopback port) that fails a share of requests the way services do: a 500
/// before doing anything, a 500 after storing the records (so the sender retries what was already taken), a dropped
/// connection, or an answer too slow for the sender's timeout. It keeps the idempotency keys it has processed and
/// stores each request's records once, as a well-behaved receiver would.
/// </summary>
internal sealed class FaultyReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, bool> _keys = new();
    private readonly object _lock = new();
    private readonly Random _random;

    private FaultyReceiver(WebApplication app, int seed)
    {
        _app = app;
        _random = new Random(seed);
    }

    /// <summary>Share of requests that fail, between 0 and 1; may change while a run goes on.</summary>
    public double FailureRate { get; set; }

    /// <summary>The status of a failure that answers at once without storing anything (500 unless set).</summary>
    public int FaultStatus { get; set; } = 500;

    /// <summary>How long a "slow" failure takes to answer.</summary>
    public TimeSpan SlowAnswer { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long every request takes to answer.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>When each request arrived.</summary>
    public ConcurrentQueue<DateTime> Arrivals { get; } = new();

    /// <summary>The most requests it was answering at once.</summary>
    public int MaxInFlight;
    private int _inFlight;

    public ConcurrentQueue<long> Ids { get; } = new();
    public ConcurrentQueue<string> Headers { get; } = new();
    public int Requests;
    public int Failures;
    public int Duplicates;

    public Uri Url => new(_app.Urls.First() + "/ingest");

    public static async Task<FaultyReceiver> StartAsync(int seed = 1)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new FaultyReceiver(app, seed);
        app.MapPost("/ingest", receiver.IngestAsync);
        await app.StartAsync();
        return receiver;
    }

    private async Task IngestAsync(HttpContext http)
    {
        Arrivals.Enqueue(DateTime.UtcNow);
        int inFlight = Interlocked.Increment(ref _inFlight);
        try
        {
            InterlockedMax(ref MaxInFlight, inFlight);
            await Task.Delay(Latency);
            await HandleAsync(http);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        for (int seen = Volatile.Read(ref target); value > seen; seen = Volatile.Read(ref target))
        {
            if (Interlocked.CompareExchange(ref target, value, seen) == seen)
            {
                return;
            }
        }
    }

    private async Task HandleAsync(HttpContext http)
    {
        Interlocked.Increment(ref Requests);
        Headers.Enqueue(string.Join("\n", http.Request.Headers.Select(h => $"{h.Key}: {h.Value}")));
        string key = http.Request.Headers["Idempotency-Key"].ToString();
        string body = await new StreamReader(http.Request.Body).ReadToEndAsync();
        int fault;
        lock (_lock)
        {
            fault = _random.NextDouble() < FailureRate ? _random.Next(4) : -1;
        }
        if (fault >= 0)
        {
            Interlocked.Increment(ref Failures);
        }
        switch (fault)
        {
            case 0:
                http.Response.StatusCode = FaultStatus;
                return;
            case 1:
                http.Abort(); // the connection drops without an answer
                return;
            case 2:
                await Task.Delay(SlowAnswer);
                break;
        }
        if (string.IsNullOrEmpty(key) || !_keys.TryAdd(key, true))
        {
            Interlocked.Increment(ref Duplicates); // already processed: taken again without storing twice
        }
        else
        {
            foreach (string line in body.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                Ids.Enqueue(JsonDocument.Parse(line).RootElement.GetProperty("id").GetInt64());
            }
        }
        // Fault 3: stored, but the answer says it failed — the sender will send it again.
        http.Response.StatusCode = fault == 3 ? 500 : 200;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
