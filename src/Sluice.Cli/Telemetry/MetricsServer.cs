using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Sluice.Cli.Telemetry;

/// <summary>A Kestrel server with <c>/metrics</c> and nothing else, for the commands that run pipelines. Built from
/// the empty builder: no configuration files or environment of ASP.NET Core's (an appsettings.json in the current
/// folder must not move it), no logging, and no say over Ctrl-C and SIGTERM, which the command owns.</summary>
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
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(listen.Address, listen.Port));
        builder.Services.AddRoutingCore();
        builder.Services.AddSingleton<IHostLifetime, CommandOwnsSignals>();
        var app = builder.Build();
        app.MapSluiceMetrics();
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            await app.DisposeAsync();
            string address = listen.Address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{listen.Address}]" : listen.Address.ToString();
            throw new CommandLineException($"cannot serve metrics on {address}:{listen.Port}: {Reason(e)}");
        }
        string bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new MetricsServer(app, bound + MetricsEndpoint.Path);
    }

    /// <summary>The socket's own words ("address already in use") rather than Kestrel's sentence around them.</summary>
    private static string Reason(Exception e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException socket)
                return socket.Message;
        }
        return CliContext.OneLine(e.Message);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed class CommandOwnsSignals : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
