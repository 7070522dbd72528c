using NATS.Client.Core;
using NATS.Net;

namespace Sluice.ServiceFixtures;

/// <summary>A private NATS server with JetStream (the machine's <c>nats-server</c>) on a free loopback port, its
/// JetStream store in a fresh temp folder, so streams and their messages survive
/// <see cref="PrivateServer.StopAsync"/> and <see cref="PrivateServer.StartAgainAsync"/>.</summary>
public sealed class NatsServer : PrivateServer
{
    NatsServer(string executable) : base(executable, "NATS") { }

    /// <summary>"nats://127.0.0.1:PORT".</summary>
    public string Url => $"nats://127.0.0.1:{Port}";

    /// <summary>Starts a new server and returns once JetStream answers; fails saying what to install when
    /// nats-server is missing.</summary>
    public static Task<NatsServer> StartAsync() =>
        // Debian installs it in /usr/sbin, which is not on a user's PATH.
        StartNewAsync(new NatsServer(ServerProcess.Locate("nats-server", "nats-server", "/usr/sbin")));

    private protected override string[] Arguments() => ["-js", "-a", "127.0.0.1", "-p", Port.ToString(), "-sd", DataDirectory];

    // Asks the JetStream API, not just the server: a connection alone would not prove that JetStream is enabled and
    // its store read.
    private protected override async Task<bool> IsReadyAsync(CancellationToken cancel)
    {
        await using var connection = new NatsConnection(new NatsOpts { Url = Url });
        await connection.ConnectAsync();
        await connection.CreateJetStreamContext().GetAccountInfoAsync(cancel);
        return true;
    }
}
