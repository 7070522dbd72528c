namespace Sluice.Bench;

/// <summary>The job as a developer would write it by hand with the libraries Sluice uses: one thread, one loop
/// per input format (<see cref="HandCsv"/>, <see cref="HandJsonl"/>, <see cref="HandParquet"/>) that parses and
/// types each field, then <see cref="HandWriter"/> for the contract, filter, derived columns and Parquet.</summary>
internal static class HandJob
{
    /// <summary>Runs the job; returns the rows written. Rows that fail are counted, not kept.</summary>
    public static long Run(string format, string input, string output)
    {
        using var writer = new HandWriter(output);
        switch (format)
        {
            case "csv": HandCsv.Read(input, writer); break;
            case "jsonl": HandJsonl.Read(input, writer); break;
            case "parquet": HandParquet.Read(input, writer); break;
            default: throw new ArgumentException($"unknown input format '{format}'; use csv, jsonl or parquet");
        }
        long written = writer.Finish();
        Console.Error.WriteLine($"written {written}, rejected {writer.Rejected}, filtered {writer.Filtered}");
        return written;
    }
}
