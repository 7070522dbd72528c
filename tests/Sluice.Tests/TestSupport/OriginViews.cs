using System.Globalization;

namespace Sluice.Tests.TestSupport;

/// <summary>How the tests of file sources read an origin: a file source's input is the file and its position the
/// record's line (the row number for Parquet), so tests can compare and order them as numbers.</summary>
public static class OriginViews
{
    extension(RowOrigin origin)
    {
        public string File => origin.Input;
        public long Line => long.Parse(origin.Position, CultureInfo.InvariantCulture);
    }

    extension(StoredDeadLetter letter)
    {
        public string File => letter.Input;
        public long Line => long.Parse(letter.Position, CultureInfo.InvariantCulture);
    }

    extension(RowOrigins origins)
    {
        public string File => origins.Input;
    }

    /// <summary>Where line <paramref name="line"/> (1-based) starts in <paramref name="bytes"/>.</summary>
    public static int LineStart(ReadOnlySpan<byte> bytes, long line)
    {
        int start = 0;
        for (long l = 1; l < line; l++)
        {
            start += bytes[start..].IndexOf((byte)'\n') + 1;
        }
        return start;
    }

    /// <summary>The origin a file source gives the record on <paramref name="line"/> of <paramref name="file"/>.</summary>
    public static RowOrigin FileOrigin(string file, long line, ReadOnlyMemory<byte> original, int failures = 0) =>
        new(file, line.ToString(CultureInfo.InvariantCulture), original, failures);
}
