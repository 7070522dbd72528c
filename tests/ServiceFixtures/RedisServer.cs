using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Sluice.ServiceFixtures;

/// <summary>A private Redis (the machine's <c>redis-server</c>) on a free loopback port, its data in a fresh temp
/// folder. Every write is in its append-only file before it is acknowledged, so data survives
/// <see cref="PrivateServer.StopAsync"/> and <see cref="PrivateServer.StartAgainAsync"/>.</summary>
public sealed class RedisServer : PrivateServer
{
    RedisServer(string executable) : base(executable, "Redis") { }

    /// <summary>"127.0.0.1:PORT", as StackExchange.Redis takes it.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>Starts a new server and returns once it answers PING; fails saying what to install when
    /// redis-server is missing.</summary>
    public static Task<RedisServer> StartAsync() =>
        StartNewAsync(new RedisServer(ServerProcess.Locate("redis-server", "redis-server")));

    // No config file: only these settings, never the machine's /etc/redis/redis.conf.
    private protected override string[] Arguments() => [
        "--port", Port.ToString(), "--bind", "127.0.0.1", "--dir", DataDirectory, "--daemonize", "no",
        "--appendonly", "yes", "--appendfsync", "always"];

    // "+PONG" and not just a connection: while it loads its data, Redis accepts connections and answers "-LOADING".
    private protected override async Task<bool> IsReadyAsync(CancellationToken cancel)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port, cancel);
        var stream = client.GetStream();
        await stream.WriteAsync("PING\r\n"u8.ToArray(), cancel);
        var reply = new byte[64];
        int read = await stream.ReadAsync(reply, cancel);
        return Encoding.ASCII.GetString(reply, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
    }
}
