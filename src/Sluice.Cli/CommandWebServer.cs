using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Sluice.Cli;

/// <summary>Kestrel on one address for a command (<c>run --metrics-port</c>'s <c>/metrics</c>, <c>sluice
/// dashboard</c>). Built from the empty builder: no configuration files or environment of ASP.NET Core's (an
/// appsettings.json in the current folder must not move it), no logging, and no say over Ctrl-C and SIGTERM, which
/// the command owns.</summary>
internal static class CommandWebServer
{
    public static WebApplicationBuilder CreateBuilder(IPAddress address, int port)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(address, port));
        builder.Services.AddRoutingCore();
        builder.Services.AddSingleton<IHostLifetime, CommandOwnsSignals>();
        return builder;
    }

    /// <summary>Starts <paramref name="app"/>; returns the URL actually bound (port 0 resolved), without a trailing slash.</summary>
    /// <exception cref="CommandLineException">The address cannot be bound (a port in use, an address not of this
    /// machine): one line naming what could not be served where, in the socket's own words.</exception>
    public static async Task<string> StartAsync(WebApplication app, string what, IPAddress address, int port, CancellationToken cancellationToken)
    {
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            string host = address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
            throw new CommandLineException($"cannot serve {what} on {host}:{port}: {Reason(e)}");
        }
        return app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
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

    private sealed class CommandOwnsSignals : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
