using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Sluice.ServiceFixtures;

/// <summary>A private Redis (the machine's <c>redis-server</c>) on a free loopback port, its data in a fresh temp
/// folder. Every write is in its append-only file before it is acknowledged, so data survives
/// <see cref="StopAsync"/> and <see cref="StartAgainAsync"/>, on the same port, as it would a real outage.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(10);
    static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    readonly string executable;
    ServerProcess? process;

    RedisServer(string executable)
    {
        this.executable = executable;
        DataDirectory = Directory.CreateTempSubdirectory("sluice-redis-").FullName;
    }

    public int Port { get; } = FreePort.Next();

    /// <summary>Where its append-only file lives; deleted by <see cref="DisposeAsync"/>.</summary>
    public string DataDirectory { get; }

    /// <summary>"127.0.0.1:PORT", as StackExchange.Redis takes it.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>Starts a new server and returns once it answers PING; fails saying what to install when
    /// redis-server is missing.</summary>
    public static async Task<RedisServer> StartAsync()
    {
        var server = new RedisServer(ServerProcess.Locate("redis-server", "redis-server"));
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

    /// <summary>Starts the stopped server again, on the same port with the same data.</summary>
    public async Task StartAgainAsync()
    {
        if (process is not null)
            throw new InvalidOperationException($"Redis on port {Port} is running already.");
        // No config file: only these settings, never the machine's /etc/redis/redis.conf.
        var started = ServerProcess.Start(executable, [
            "--port", Port.ToString(), "--bind", "127.0.0.1", "--dir", DataDirectory, "--daemonize", "no",
            "--appendonly", "yes", "--appendfsync", "always"]);
        await started.WaitUntilReadyAsync(AnswersPingAsync, ReadyTimeout);
        process = started;
    }

    /// <summary>Shuts the server down cleanly (SIGTERM: it flushes its data and exits), keeping its data.</summary>
    public async Task StopAsync()
    {
        if (process is null)
            return;
        var stopping = process;
        process = null;
        await stopping.StopAsync(StopTimeout);
    }

    /// <summary>Stops the server if it runs and deletes its data.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }

    // "+PONG" and not just a connection: while it loads its data, Redis accepts connections and answers "-LOADING".
    async Task<bool> AnswersPingAsync(CancellationToken cancel)
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
