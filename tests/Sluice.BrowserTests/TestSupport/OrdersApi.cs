using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Sluice.BrowserTests.TestSupport;

/// <summary>
/// A tiny JSON API on 127.0.0.1 and a port the kernel picks: it keeps the records POSTed to <c>/orders</c> (JSON
/// Lines, as the <c>http</c> sink sends them) and serves them back at GET <c>/orders</c> as one JSON array (one page,
/// as the <c>http</c> source reads it). One pipeline writing it and another reading it name the same dataset, which is
/// how two real pipelines join in the lineage graph: file sources are named by their glob and file sinks by their
/// folder, so a file never joins them.
/// </summary>
public sealed class OrdersApi : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<string> _records;

    private OrdersApi(WebApplication app, List<string> records, string root)
    {
        _app = app;
        _records = records;
        Url = new Uri(root + "/orders");
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
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
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
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new OrdersApi(app, records, address.TrimEnd('/'));
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
