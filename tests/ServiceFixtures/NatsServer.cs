using NATS.Client.Core;
using NATS.Net;

namespace Sluice.ServiceFixtures;

/// <summary>A private NATS server with JetStream (the machine's <c>nats-server</c>) on a free loopback port, its
/// JetStream store in a fresh temp folder, so streams and their messages survive <see cref="StopAsync"/> and
/// <see cref="StartAgainAsync"/>, on the same port, as they would a real outage.</summary>
public sealed class NatsServer : IAsyncDisposable
{
    static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(10);
    static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    readonly string executable;
    ServerProcess? process;

    NatsServer(string executable)
    {
        this.executable = executable;
        StoreDirectory = Directory.CreateTempSubdirectory("sluice-nats-").FullName;
    }

    public int Port { get; } = FreePort.Next();

    /// <summary>Where JetStream keeps its streams; deleted by <see cref="DisposeAsync"/>.</summary>
    public string StoreDirectory { get; }

    /// <summary>"nats://127.0.0.1:PORT".</summary>
    public string Url => $"nats://127.0.0.1:{Port}";

    /// <summary>Starts a new server and returns once JetStream answers; fails saying what to install when
    /// nats-server is missing.</summary>
    public static async Task<NatsServer> StartAsync()
    {
        // Debian installs it in /usr/sbin, which is not on a user's PATH.
        var server = new NatsServer(ServerProcess.Locate("nats-server", "nats-server", "/usr/sbin"));
        try
        {
            await server.StartAgainAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the stopped server again, on the same port with the same JetStream store.</summary>
    public async Task StartAgainAsync()
    {
        if (process is not null)
            throw new InvalidOperationException($"NATS on port {Port} is running already.");
        var started = ServerProcess.Start(executable, ["-js", "-a", "127.0.0.1", "-p", Port.ToString(), "-sd", StoreDirectory]);
        await started.WaitUntilReadyAsync(JetStreamAnswersAsync, ReadyTimeout);
        process = started;
    }

    /// <summary>Shuts the server down cleanly (SIGTERM: it closes its JetStream store and exits), keeping the
    /// store.</summary>
    public async Task StopAsync()
    {
        if (process is null)
            return;
        var stopping = process;
        process = null;
        await stopping.StopAsync(StopTimeout);
    }

    /// <summary>Stops the server if it runs and deletes its JetStream store.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            Directory.Delete(StoreDirectory, recursive: true);
        }
    }

    // Asks the JetStream API, not just the server: a connection alone would not prove that JetStream is enabled and
    // its store read.
    async Task<bool> JetStreamAnswersAsync(CancellationToken cancel)
    {
        await using var connection = new NatsConnection(new NatsOpts { Url = Url });
        await connection.ConnectAsync();
        await connection.CreateJetStreamContext().GetAccountInfoAsync(cancel);
        return true;
    }
}
