using System.Globalization;
using System.Text;
using Sylvan.Data.Csv;

namespace Sluice.Bench;

/// <summary>CSV for the hand-written job: Sylvan's reader, fields parsed from its char spans.</summary>
internal static class HandCsv
{
    /// <summary>The timestamps DuckDB's CSV writer produces; a hand-written job knows its input's format.</summary>
    private const string TimestampFormat = "yyyy-MM-dd HH:mm:ss";

    public static void Read(string path, HandWriter writer)
    {
        using var csv = CsvDataReader.Create(path, new CsvDataReaderOptions { HasHeaders = true });
        var header = Enumerable.Range(0, csv.FieldCount).Select(csv.GetName).ToArray();
        if (!header.SequenceEqual(FlightsJob.Columns))
        {
            throw new InvalidDataException($"{path} has columns {string.Join(',', header)}; expected {string.Join(',', FlightsJob.Columns)}");
        }
        Span<byte> origin = stackalloc byte[64];
        Span<byte> destination = stackalloc byte[64];
        while (csv.Read())
        {
            if (csv.RowFieldCount != FlightsJob.Columns.Length
                || !DateTime.TryParseExact(csv.GetFieldSpan(0), TimestampFormat, CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date)
                || !TryParseOptional(csv.GetFieldSpan(1), out long? delay)
                || !long.TryParse(csv.GetFieldSpan(2), NumberStyles.Integer, CultureInfo.InvariantCulture, out long distance)
                || !TryUtf8(csv.GetFieldSpan(3), origin, out int originLength)
                || !TryUtf8(csv.GetFieldSpan(4), destination, out int destinationLength))
            {
                writer.Reject();
                continue;
            }
            writer.Add(new DateTimeOffset(date, TimeSpan.Zero), delay, distance, origin[..originLength], destination[..destinationLength]);
        }
    }

    private static bool TryParseOptional(ReadOnlySpan<char> text, out long? value)
    {
        value = null;
        if (text.IsEmpty)
        {
            return true;
        }
        if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long parsed))
        {
            return false;
        }
        value = parsed;
        return true;
    }

    /// <summary>False for a value too long for the buffer: it cannot be a three-letter code anyway, so the contract
    /// would reject it.</summary>
    private static bool TryUtf8(ReadOnlySpan<char> text, Span<byte> buffer, out int length) =>
        Encoding.UTF8.TryGetBytes(text, buffer, out length);
}
