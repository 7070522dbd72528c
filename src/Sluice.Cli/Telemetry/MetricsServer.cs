using Microsoft.AspNetCore.Builder;

namespace Sluice.Cli.Telemetry;

/// <summary>A web server with <c>/metrics</c> and nothing else, for the commands that run pipelines.</summary>
internal sealed class MetricsServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private MetricsServer(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>The address actually bound, with the path: what a scraper is given.</summary>
    public string Url { get; }

    /// <exception cref="CommandLineException">The address cannot be bound (a port in use, an address not of this
    /// machine).</exception>
    public static async Task<MetricsServer> StartAsync(MetricsListen listen, CancellationToken cancellationToken)
    {
        var app = CommandWebServer.CreateBuilder(listen.Address, listen.Port).Build();
        app.MapSluiceMetrics();
        try
        {
            string bound = await CommandWebServer.StartAsync(app, "metrics", listen.Address, listen.Port, cancellationToken);
            return new MetricsServer(app, bound + MetricsEndpoint.Path);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
