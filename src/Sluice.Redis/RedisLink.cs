using StackExchange.Redis;

namespace Sluice.Redis;

/// <summary>A source's or sink's one connection to Redis, made at its first use (a stage built only to check a
/// pipeline never connects) under the pipeline's retry policy, and closed when the stage is done.</summary>
internal sealed class RedisLink(RedisConnection? connection, Sluice.RetryPolicy retry, string stage) : IAsyncDisposable
{
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private ConnectionMultiplexer? _redis;

    /// <summary>The connected multiplexer; only after <see cref="DatabaseAsync"/> has returned once.</summary>
    public ConnectionMultiplexer Multiplexer => _redis ?? throw new InvalidOperationException("not connected yet");

    public async Task<IDatabase> DatabaseAsync(CancellationToken cancellationToken)
    {
        if (connection is null)
        {
            throw new InvalidOperationException($"this redis_stream {stage} was built to check a pipeline, not to run it");
        }
        await _connecting.WaitAsync(cancellationToken);
        try
        {
            _redis ??= await connection.RetryAsync(retry, "cannot connect to", () => connection.ConnectAsync(), cancellationToken);
            return _redis.GetDatabase();
        }
        finally
        {
            _connecting.Release();
        }
    }

    /// <summary>Closes the connection; the next <see cref="DatabaseAsync"/> connects again.</summary>
    public async Task DisconnectAsync()
    {
        await _connecting.WaitAsync();
        try
        {
            if (_redis is not null)
            {
                await _redis.DisposeAsync();
                _redis = null;
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
