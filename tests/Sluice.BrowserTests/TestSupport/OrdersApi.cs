using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Sluice.BrowserTests.TestSupport;

/// <summary>
/// A tiny JSON API on 127.0.0.1 and a port the kernel picks: it keeps the records POSTed to <c>/orders</c> (JSON
/// Lines, as the <c>http</c> sink sends them) and serves them back at GET <c>/orders</c> as one JSON array (one page,
/// as the <c>http</c> source reads it). One pipeline writing it and another reading it name the same dataset by its URL,
/// so the two join in the lineage graph.
/// </summary>
public sealed class OrdersApi : IAsyncDisposable
{
    private readonly LoopbackSite _site;
    private readonly List<string> _records;

    private OrdersApi(LoopbackSite site, List<string> records)
    {
        _site = site;
        _records = records;
        Url = new Uri(site.Url("/orders"));
    }

    /// <summary>Where records are POSTed and read back, e.g. <c>http://127.0.0.1:41234/orders</c>.</summary>
    public Uri Url { get; }

    /// <summary>How many records it holds.</summary>
    public int Count
    {
        get
        {
            lock (_records)
                return _records.Count;
        }
    }

    public static async Task<OrdersApi> StartAsync()
    {
        var records = new List<string>();
        var site = await LoopbackSite.StartAsync(app =>
        {
            app.MapPost("/orders", async (HttpRequest request) =>
            {
                using var reader = new StreamReader(request.Body);
                string[] lines = (await reader.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
                lock (records)
                    records.AddRange(lines);
                return Results.Ok();
            });
            app.MapGet("/orders", () =>
            {
                lock (records)
                    return Results.Content("[" + string.Join(",", records) + "]", "application/json");
            });
        });
        return new OrdersApi(site, records);
    }

    public ValueTask DisposeAsync() => _site.DisposeAsync();
}
