using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Sluice.Tests.Lineage;

/// <summary>An OpenLineage endpoint as Marquez has it (Kestrel on a free loopback port, POST /api/v1/lineage) that
/// answers its first <see cref="FailFirst"/> requests with a 500.</summary>
internal sealed class LineageReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    private LineageReceiver(WebApplication app) => _app = app;

    public int FailFirst { get; init; }

    /// <summary>Every request as it came: its body and Authorization header; the failed ones too.</summary>
    public ConcurrentQueue<(string Body, string Authorization, bool Failed)> Requests { get; } = new();

    /// <summary>The server's root, without a path: the form OPENLINEAGE_URL takes.</summary>
    public string Root => _app.Urls.First();

    public static async Task<LineageReceiver> StartAsync(int failFirst = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new LineageReceiver(app) { FailFirst = failFirst };
        app.MapPost("/api/v1/lineage", receiver.ReceiveAsync);
        await app.StartAsync();
        return receiver;
    }

    private async Task ReceiveAsync(HttpContext http)
    {
        string body = await new StreamReader(http.Request.Body).ReadToEndAsync();
        bool fail = Interlocked.Increment(ref _requests) <= FailFirst;
        Requests.Enqueue((body, http.Request.Headers.Authorization.ToString(), fail));
        http.Response.StatusCode = fail ? 500 : 201;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
