using Npgsql;
using StackExchange.Redis;

namespace Sluice.Bench;

/// <summary>
/// The Redis stream → PostgreSQL job as a developer writes it by hand: XREADGROUP a batch, COPY it into the table
/// in a transaction, commit, XACK the batch. At least once (a crash between the commit and the XACK writes the batch
/// again), where Sluice is exactly once; one thread, no contract beyond parsing the fields.
/// </summary>
internal static class HandStreamToTable
{
    public static async Task<long> RunAsync(string redis, string stream, string group, string postgres, string table, int batchSize)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis);
        var db = connection.GetDatabase();
        await db.StreamCreateConsumerGroupAsync(stream, group, StreamPosition.Beginning);
        await using var pg = new NpgsqlConnection(postgres);
        await pg.OpenAsync();
        await using (var create = new NpgsqlCommand($"CREATE TABLE {table} ({Clicks.TableColumns})", pg))
        {
            await create.ExecuteNonQueryAsync();
        }
        long written = 0;
        while (true)
        {
            var entries = await db.StreamReadGroupAsync(stream, group, "hand", ">", batchSize);
            if (entries.Length == 0)
            {
                return written;
            }
            await using (var transaction = await pg.BeginTransactionAsync())
            {
                await using (var copy = await pg.BeginBinaryImportAsync($"COPY {table} FROM STDIN (FORMAT BINARY)"))
                {
                    foreach (var entry in entries)
                    {
                        Clicks.Write(copy, entry);
                    }
                    await copy.CompleteAsync();
                }
                await transaction.CommitAsync();
            }
            await db.StreamAcknowledgeAsync(stream, group, entries.Select(e => e.Id).ToArray());
            written += entries.Length;
        }
    }
}
