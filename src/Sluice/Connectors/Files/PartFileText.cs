using System.Globalization;

namespace Sluice.Connectors.Files;

/// <summary>How text part files (JSONL, CSV) spell dates and timestamps, as UTF-8 without allocating.</summary>
internal static class PartFileText
{
    /// <summary>Bytes needed for the longest value <see cref="FormatTimestamp"/> writes.</summary>
    public const int MaxTemporalLength = 32;

    private static readonly int EpochDayNumber = DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;

    /// <summary>Writes an Arrow date32 (days since 1970-01-01) as <c>yyyy-MM-dd</c>.</summary>
    public static int FormatDate(int days, Span<byte> destination)
    {
        DateOnly.FromDayNumber(EpochDayNumber + days).TryFormat(destination, out int written, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        return written;
    }

    /// <summary>Writes an Arrow timestamp (microseconds since the epoch, UTC) as <c>yyyy-MM-ddTHH:mm:ss.ffffffZ</c>.</summary>
    public static int FormatTimestamp(long micros, Span<byte> destination)
    {
        var instant = new DateTime(DateTime.UnixEpoch.Ticks + micros * TimeSpan.TicksPerMicrosecond, DateTimeKind.Utc);
        instant.TryFormat(destination, out int written, "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'ffffff'Z'", CultureInfo.InvariantCulture);
        return written;
    }
}
