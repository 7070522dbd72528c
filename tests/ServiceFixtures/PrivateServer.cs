namespace Sluice.ServiceFixtures;

/// <summary>
/// What a private server's fixture shares: a free loopback port and a fresh temp folder for its data, kept by
/// <see cref="StopAsync"/> and <see cref="StartAgainAsync"/> (on the same port, as a real outage would), deleted by
/// <see cref="DisposeAsync"/>. A subclass says how to start the server and how to tell it is ready.
/// </summary>
public abstract class PrivateServer : IAsyncDisposable
{
    static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(10);
    static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    readonly string executable;
    ServerProcess? process;

    private protected PrivateServer(string executable, string name)
    {
        this.executable = executable;
        Name = name;
        DataDirectory = Directory.CreateTempSubdirectory($"sluice-{name.ToLowerInvariant()}-").FullName;
    }

    /// <summary>The server's name in messages ("Redis", "NATS").</summary>
    public string Name { get; }

    public int Port { get; } = FreePort.Next();

    /// <summary>Where the server keeps its data; deleted by <see cref="DisposeAsync"/>.</summary>
    public string DataDirectory { get; }

    /// <summary>The command line that starts the server on <see cref="Port"/> with its data in
    /// <see cref="DataDirectory"/>.</summary>
    private protected abstract string[] Arguments();

    /// <summary>True once the server does its work, not merely accepts connections.</summary>
    private protected abstract Task<bool> IsReadyAsync(CancellationToken cancel);

    /// <summary>Starts a new server and returns once it is ready; disposes it when it does not start.</summary>
    private protected static async Task<T> StartNewAsync<T>(T server) where T : PrivateServer
    {
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
            throw new InvalidOperationException($"{Name} on port {Port} is running already.");
        var started = ServerProcess.Start(executable, Arguments());
        await started.WaitUntilReadyAsync(IsReadyAsync, ReadyTimeout);
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
        GC.SuppressFinalize(this);
    }
}
