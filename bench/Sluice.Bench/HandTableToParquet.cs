using System.Text;
using Apache.Arrow;
using Npgsql;
using NpgsqlTypes;
using ParquetSharp.Arrow;

namespace Sluice.Bench;

/// <summary>The PostgreSQL → Parquet flights job of bench/services.sh: loading the 3M flights into a table, and the
/// job by hand (<c>COPY … TO STDOUT</c> in binary, then <see cref="HandWriter"/>: the same contract, filter, derived
/// columns and zstd Parquet as the file jobs).</summary>
internal static class HandTableToParquet
{
    /// <summary>An identity key first: a table without one is how no real table looks, and Sluice's source pages a
    /// table by its primary key.</summary>
    public const string TableColumns = "id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, date timestamptz, delay bigint, distance bigint, origin text, destination text";

    /// <summary>Copies the flights Parquet file into a new table; returns its rows.</summary>
    public static async Task<long> LoadAsync(string parquet, string postgres, string table)
    {
        await using var pg = new NpgsqlConnection(postgres);
        await pg.OpenAsync();
        await using (var create = new NpgsqlCommand($"DROP TABLE IF EXISTS {table}; CREATE TABLE {table} ({TableColumns})", pg))
        {
            await create.ExecuteNonQueryAsync();
        }
        using var file = new FileReader(parquet);
        using var batches = file.GetRecordBatchReader();
        await using var copy = await pg.BeginBinaryImportAsync($"COPY {table} (date, delay, distance, origin, destination) FROM STDIN (FORMAT BINARY)");
        while (await batches.ReadNextRecordBatchAsync() is { } batch)
        {
            using (batch)
            {
                var date = (TimestampArray)batch.Column(0);
                var delay = (Int64Array)batch.Column(1);
                var distance = (Int64Array)batch.Column(2);
                for (int i = 0; i < batch.Length; i++)
                {
                    copy.StartRow();
                    WriteNullable(copy, date.GetTimestamp(i)?.UtcDateTime, NpgsqlDbType.TimestampTz);
                    WriteNullable(copy, delay.GetValue(i), NpgsqlDbType.Bigint);
                    WriteNullable(copy, distance.GetValue(i), NpgsqlDbType.Bigint);
                    WriteNullable(copy, Text(batch.Column(3), i), NpgsqlDbType.Text);
                    WriteNullable(copy, Text(batch.Column(4), i), NpgsqlDbType.Text);
                }
            }
        }
        return (long)await copy.CompleteAsync();
    }

    /// <summary>Runs the job from the table; returns the rows written.</summary>
    public static async Task<long> RunAsync(string postgres, string table, string output)
    {
        await using var pg = new NpgsqlConnection(postgres);
        await pg.OpenAsync();
        using var writer = new HandWriter(output);
        await using (var rows = await pg.BeginBinaryExportAsync($"COPY (SELECT date, delay, distance, origin, destination FROM {table}) TO STDOUT (FORMAT BINARY)"))
        {
            byte[] origin = new byte[64], destination = new byte[64];
            while (await rows.StartRowAsync() != -1)
            {
                DateTime? date = rows.IsNull ? Skip<DateTime?>(rows) : rows.Read<DateTime>(NpgsqlDbType.TimestampTz);
                long? delay = rows.IsNull ? Skip<long?>(rows) : rows.Read<long>(NpgsqlDbType.Bigint);
                long? distance = rows.IsNull ? Skip<long?>(rows) : rows.Read<long>(NpgsqlDbType.Bigint);
                string? from = rows.IsNull ? Skip<string?>(rows) : rows.Read<string>(NpgsqlDbType.Text);
                string? to = rows.IsNull ? Skip<string?>(rows) : rows.Read<string>(NpgsqlDbType.Text);
                if (date is not { } when || distance is not { } miles || from is null || to is null
                    || from.Length > origin.Length || to.Length > destination.Length)
                {
                    writer.Reject();
                    continue;
                }
                int fromBytes = Encoding.UTF8.GetBytes(from, origin), toBytes = Encoding.UTF8.GetBytes(to, destination);
                writer.Add(new DateTimeOffset(when, TimeSpan.Zero), delay, miles, origin.AsSpan(0, fromBytes), destination.AsSpan(0, toBytes));
            }
        }
        long written = writer.Finish();
        Console.Error.WriteLine($"written {written}, rejected {writer.Rejected}, filtered {writer.Filtered}");
        return written;
    }

    private static T Skip<T>(NpgsqlBinaryExporter rows)
    {
        rows.Skip();
        return default!;
    }

    private static void WriteNullable<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type)
    {
        if (value is null)
        {
            copy.WriteNull();
        }
        else
        {
            copy.Write(value, type);
        }
    }

    private static string? Text(IArrowArray array, int index) => array switch
    {
        StringArray strings => strings.GetString(index),
        LargeStringArray strings => strings.GetString(index),
        _ => throw new InvalidDataException($"expected a string column, not {array.Data.DataType.Name}"),
    };
}
