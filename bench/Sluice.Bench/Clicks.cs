using Npgsql;
using NpgsqlTypes;
using StackExchange.Redis;

namespace Sluice.Bench;

/// <summary>The click events of bench/services.sh: made from their number alone, so every contender reads the same
/// stream, and the table every contender writes them into.</summary>
internal static class Clicks
{
    public const string TableColumns = "id bigint, user_id bigint, page text, duration_ms bigint, at timestamptz";

    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static NameValueEntry[] Entry(long id) =>
    [
        new("id", id),
        new("user_id", id * 7919 % 50_000),
        new("page", $"/products/{id * 31 % 997}"),
        new("duration_ms", id * 131 % 120_000),
        new("at", Start.AddMilliseconds(id * 250).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture)),
    ];

    /// <summary>XADDs events 1 … <paramref name="count"/> to <paramref name="stream"/>, 1,000 to a round trip.</summary>
    public static async Task<long> FillAsync(string redis, string stream, long count)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis);
        var db = connection.GetDatabase();
        const int Chunk = 1000;
        for (long first = 1; first <= count; first += Chunk)
        {
            var batch = db.CreateBatch();
            var adds = new List<Task>(Chunk);
            for (long id = first; id < first + Chunk && id <= count; id++)
            {
                adds.Add(batch.StreamAddAsync(stream, Entry(id)));
            }
            batch.Execute();
            await Task.WhenAll(adds);
        }
        return await db.StreamLengthAsync(stream);
    }

    /// <summary>Writes one entry's fields as a row of the table, typed as the benchmark's contract types them.</summary>
    public static void Write(NpgsqlBinaryImporter copy, StreamEntry entry)
    {
        copy.StartRow();
        copy.Write(Number(entry["id"]), NpgsqlDbType.Bigint);
        copy.Write(Number(entry["user_id"]), NpgsqlDbType.Bigint);
        copy.Write((string)entry["page"]!, NpgsqlDbType.Text);
        copy.Write(Number(entry["duration_ms"]), NpgsqlDbType.Bigint);
        copy.Write(DateTimeOffset.Parse((string)entry["at"]!, System.Globalization.CultureInfo.InvariantCulture).UtcDateTime, NpgsqlDbType.TimestampTz);
    }

    private static long Number(RedisValue value) => long.Parse((string)value!, System.Globalization.CultureInfo.InvariantCulture);
}
