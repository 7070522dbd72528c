namespace Sluice.Bench;

/// <summary>A summary of a job's output that two correct contenders share: row count, sums of the numbers,
/// count of late flights and a hash of the strings, computed by DuckDB. Equal row counts alone would miss a
/// contender that kept the wrong rows or derived the wrong values.</summary>
internal static class Fingerprint
{
    /// <summary>The fingerprint of a Parquet file, or of every <c>*.parquet</c> file of a folder, as one line.</summary>
    public static string Of(string path)
    {
        string files = Directory.Exists(path) ? Path.Combine(path, "*.parquet") : path;
        var text = new StringWriter();
        // epoch_us reads Sluice's UTC timestamps and DuckDB's plain ones alike.
        DuckDbJob.Print($"""
            SELECT count(*), sum(delay), sum(distance), count(*) FILTER (WHERE late), sum(epoch_us(date)),
                   sum(hash(origin, destination, route))
            FROM read_parquet('{files.Replace("'", "''")}')
            """, text);
        return text.ToString().Trim().Replace('\t', ' ');
    }
}
