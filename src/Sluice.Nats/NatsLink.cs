using NATS.Client.Core;
using NATS.Client.JetStream;

namespace Sluice.Nats;

/// <summary>A source's or sink's one connection to NATS, made at its first use (a stage built only to check a
/// pipeline never connects) under the pipeline's retry policy, and closed when the stage is done. The client
/// reconnects by itself after an outage; calls made meanwhile fail and are retried by their caller.</summary>
internal sealed class NatsLink(NatsAccess? access, Sluice.RetryPolicy retry, string stage) : IAsyncDisposable
{
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private NatsConnection? _connection;
    private NatsJSContext? _js;

    public NatsAccess Access => access ?? throw new InvalidOperationException($"this nats_jetstream {stage} was built to check a pipeline, not to run it");

    public async Task<NatsJSContext> JetStreamAsync(CancellationToken cancellationToken)
    {
        var reach = Access;
        await _connecting.WaitAsync(cancellationToken);
        try
        {
            if (_js is null)
            {
                _js = await reach.RetryAsync(retry, "cannot connect to", async _ =>
                {
                    var connection = reach.Open($"sluice-{stage}");
                    try
                    {
                        await connection.ConnectAsync();
                    }
                    catch
                    {
                        await connection.DisposeAsync();
                        throw;
                    }
                    _connection = connection;
                    return new NatsJSContext(connection);
                }, cancellationToken);
            }
            return _js;
        }
        finally
        {
            _connecting.Release();
        }
    }

    /// <summary>Closes the connection (pending publishes are flushed); the next <see cref="JetStreamAsync"/> connects again.</summary>
    public async Task DisconnectAsync()
    {
        await _connecting.WaitAsync();
        try
        {
            if (_connection is not null)
            {
                await _connection.DisposeAsync();
                (_connection, _js) = (null, null);
            }
        }
        finally
        {
            _connecting.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await DisconnectAsync();
        _connecting.Dispose();
    }
}
