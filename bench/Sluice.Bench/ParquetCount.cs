using ParquetSharp;

namespace Sluice.Bench;

/// <summary>Row counts from Parquet footers, to check that every contender wrote the same rows.</summary>
internal static class ParquetCount
{
    /// <summary>The rows of one Parquet file, or of every <c>*.parquet</c> file in a folder (Sluice writes part files).</summary>
    public static long Rows(string path)
    {
        var files = Directory.Exists(path) ? Directory.GetFiles(path, "*.parquet") : [path];
        if (files.Length == 0)
        {
            throw new IOException($"no *.parquet file in {path}");
        }
        long rows = 0;
        foreach (string file in files)
        {
            using var reader = new ParquetFileReader(file);
            rows += reader.FileMetaData.NumRows;
        }
        return rows;
    }
}
