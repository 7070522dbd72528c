using Microsoft.Data.Sqlite;

namespace Sluice.State.Sqlite;

/// <summary>
/// The lease rules of <see cref="IStateStore"/> on the <c>leases</c> table. Every method runs inside the caller's
/// immediate transaction, so reading the row and writing it back cannot interleave with another process doing
/// the same. A lease is live while now &lt; expires_at, by the store's clock.
/// </summary>
internal static class SqliteLeases
{
    public static async Task<Lease> AcquireAsync(SqliteConnection connection, SqliteTransaction transaction,
        string pipeline, string holder, DateTimeOffset now, TimeSpan ttl, CancellationToken cancellationToken)
    {
        var stored = await ReadAsync(connection, transaction, pipeline, cancellationToken);
        Lease lease;
        if (stored is null)
        {
            lease = new Lease(pipeline, holder, 1, now + ttl);
        }
        else if (stored.ExpiresAt <= now)
        {
            // Expired: whoever held it may have been paused and may wake up, so even the same holder gets a new
            // epoch and anything it started under the old one is fenced off.
            lease = new Lease(pipeline, holder, stored.Epoch + 1, now + ttl);
        }
        else if (stored.Holder == holder)
        {
            lease = stored with { ExpiresAt = now + ttl };
        }
        else
        {
            throw new LeaseHeldException(stored);
        }
        await WriteAsync(connection, transaction, lease, cancellationToken);
        return lease;
    }

    public static async Task<Lease> RenewAsync(SqliteConnection connection, SqliteTransaction transaction,
        Lease lease, DateTimeOffset now, TimeSpan ttl, CancellationToken cancellationToken)
    {
        await EnsureCurrentAsync(connection, transaction, lease, now, cancellationToken);
        var renewed = lease with { ExpiresAt = now + ttl };
        await WriteAsync(connection, transaction, renewed, cancellationToken);
        return renewed;
    }

    public static async Task ReleaseAsync(SqliteConnection connection, SqliteTransaction transaction,
        Lease lease, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            UPDATE leases SET expires_at = $now
            WHERE pipeline = $pipeline AND holder = $holder AND epoch = $epoch AND expires_at > $now
            """;
        command.Parameters.AddWithValue("$pipeline", lease.Pipeline);
        command.Parameters.AddWithValue("$holder", lease.Holder);
        command.Parameters.AddWithValue("$epoch", lease.Epoch);
        command.Parameters.AddWithValue("$now", SqliteValues.Timestamp(now));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <exception cref="LeaseLostException">The stored lease is not <paramref name="lease"/>, or it has expired.</exception>
    public static async Task EnsureCurrentAsync(SqliteConnection connection, SqliteTransaction transaction,
        Lease lease, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var stored = await ReadAsync(connection, transaction, lease.Pipeline, cancellationToken);
        if (stored is null)
        {
            throw new LeaseLostException(lease, "the state file has no lease for this pipeline");
        }
        if (stored.Holder != lease.Holder || stored.Epoch != lease.Epoch)
        {
            throw new LeaseLostException(lease, $"{stored.Holder} took it over (epoch {stored.Epoch})");
        }
        if (stored.ExpiresAt <= now)
        {
            throw new LeaseLostException(lease, $"it expired at {SqliteValues.Timestamp(stored.ExpiresAt)}");
        }
    }

    private static async Task<Lease?> ReadAsync(SqliteConnection connection, SqliteTransaction transaction,
        string pipeline, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT holder, epoch, expires_at FROM leases WHERE pipeline = $pipeline";
        command.Parameters.AddWithValue("$pipeline", pipeline);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new Lease(pipeline, reader.GetString(0), reader.GetInt64(1), SqliteValues.ParseTimestamp(reader.GetString(2)))
            : null;
    }

    private static async Task WriteAsync(SqliteConnection connection, SqliteTransaction transaction, Lease lease,
        CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO leases (pipeline, holder, epoch, expires_at) VALUES ($pipeline, $holder, $epoch, $expires)
            ON CONFLICT (pipeline) DO UPDATE SET holder = excluded.holder, epoch = excluded.epoch, expires_at = excluded.expires_at
            """;
        command.Parameters.AddWithValue("$pipeline", lease.Pipeline);
        command.Parameters.AddWithValue("$holder", lease.Holder);
        command.Parameters.AddWithValue("$epoch", lease.Epoch);
        command.Parameters.AddWithValue("$expires", SqliteValues.Timestamp(lease.ExpiresAt));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
