using NATS.Client.Core;
using NATS.Net;

namespace Sluice.ServiceFixtures;

/// <summary>A private NATS server with JetStream (the machine's <c>nats-server</c>) on a free loopback port, its
/// JetStream store in a fresh temp folder, so streams and their messages survive
/// <see cref="PrivateServer.StopAsync"/> and <see cref="PrivateServer.StartAgainAsync"/>. Optionally it requires a
/// user and password, for tests of what a client with wrong credentials is told.</summary>
public sealed class NatsServer : PrivateServer
{
    readonly string? user;
    readonly string? password;

    NatsServer(string executable, string? user, string? password) : base(executable, "NATS")
    {
        this.user = user;
        this.password = password;
    }

    /// <summary>"nats://127.0.0.1:PORT".</summary>
    public string Url => $"nats://127.0.0.1:{Port}";

    /// <summary>Options that connect to this server, logged in when it requires it.</summary>
    public NatsOpts ClientOptions => new()
    {
        Url = Url,
        AuthOpts = user is null ? NatsAuthOpts.Default : new NatsAuthOpts { Username = user, Password = password },
    };

    /// <summary>Starts a new server and returns once JetStream answers; fails saying what to install when
    /// nats-server is missing. With <paramref name="user"/> and <paramref name="password"/> it accepts only them.</summary>
    public static Task<NatsServer> StartAsync(string? user = null, string? password = null) =>
        // Debian installs it in /usr/sbin, which is not on a user's PATH.
        StartNewAsync(new NatsServer(ServerProcess.Locate("nats-server", "nats-server", "/usr/sbin"), user, password));

    private protected override string[] Arguments() =>
        user is null
            ? ["-js", "-a", "127.0.0.1", "-p", Port.ToString(), "-sd", DataDirectory]
            : ["-js", "-a", "127.0.0.1", "-p", Port.ToString(), "-sd", DataDirectory, "--user", user, "--pass", password!];

    // Asks the JetStream API, not just the server: a connection alone would not prove that JetStream is enabled and
    // its store read.
    private protected override async Task<bool> IsReadyAsync(CancellationToken cancel)
    {
        await using var connection = new NatsConnection(ClientOptions);
        await connection.ConnectAsync();
        await connection.CreateJetStreamContext().GetAccountInfoAsync(cancel);
        return true;
    }
}
