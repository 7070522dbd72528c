using System.Runtime.CompilerServices;

namespace Sluice.Cli.Telemetry;

/// <summary>What a command that runs pipelines (<c>run</c>, <c>flow run</c>, <c>serve</c>) starts for its telemetry:
/// the <c>/metrics</c> server when given a port, OTLP export when the environment asks for it, and nothing at all
/// otherwise — no Kestrel, no OpenTelemetry loaded, so a plain run starts as fast as before.</summary>
internal static class CommandTelemetry
{
    /// <summary>Starts what is asked for; null when nothing is. Dispose the result when the command's work is done:
    /// that sends OTLP's last export (bounded by <see cref="OtlpExport.ExitBudget"/>) and stops the server.</summary>
    /// <exception cref="CommandLineException">The port is in use, the address not of this machine, an OTLP variable
    /// malformed.</exception>
    public static async Task<IAsyncDisposable?> StartAsync(MetricsListen? listen, TextWriter stderr, CancellationToken cancellationToken)
    {
        var otlp = OtlpSettings.FromEnvironment();
        if (listen is null && otlp is null)
            return null;
        return await StartSessionAsync(listen, otlp, stderr, cancellationToken);
    }

    /// <summary>Apart from <see cref="StartAsync"/> and not inlined into it: compiling this is what loads ASP.NET Core
    /// and OpenTelemetry, which only a command that asked for telemetry should pay for.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<IAsyncDisposable> StartSessionAsync(MetricsListen? listen, OtlpSettings? otlp, TextWriter stderr,
        CancellationToken cancellationToken)
    {
        var export = otlp is null ? null : new OtlpExport(otlp);
        try
        {
            var server = listen is null ? null : await MetricsServer.StartAsync(listen, cancellationToken);
            if (server is not null)
            {
                stderr.WriteLine($"metrics: {server.Url}");
                stderr.Flush();
            }
            return new Session(server, export, stderr);
        }
        catch
        {
            export?.Dispose();
            throw;
        }
    }

    private sealed class Session(MetricsServer? server, OtlpExport? export, TextWriter stderr) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            // The OpenTelemetry SDK says nothing when a collector is down: without this line a run's telemetry could be
            // lost every time and nobody would know.
            if (export?.Finish() is { } error)
            {
                stderr.WriteLine($"warning: OTLP: telemetry not exported: {error}");
                stderr.Flush();
            }
            if (server is not null)
                await server.DisposeAsync();
        }
    }
}
