using System.Globalization;

namespace Sluice.Connectors.Files;

/// <summary>The origin of a record read from a file (or an http page): the path, and the line it starts on (the row
/// number for Parquet, the record number for a page) as its position.</summary>
internal static class FileOrigins
{
    public static RowOrigin At(string file, long line, ReadOnlyMemory<byte> original) =>
        new(file, line.ToString(CultureInfo.InvariantCulture), original);
}
