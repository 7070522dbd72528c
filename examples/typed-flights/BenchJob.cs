using Sluice;

namespace TypedFlights;

/// <summary>The benchmark's job (bench/job.sh) in C#, for bench/typed.sh: the 3M-row input has ISO dates and
/// other bounds, keeps every column and adds <c>late</c> and <c>route</c>.</summary>
public static class BenchJob
{
    public sealed record Row(DateTime Date, long? Delay, long Distance, string Origin, string Destination);

    public sealed record Output(DateTime Date, long? Delay, long Distance, string Origin, string Destination, bool? Late, string Route);

    /// <param name="input">The CSV file (or glob) to read.</param>
    /// <param name="output">Folder the Parquet files are published in.</param>
    public static Pipeline Build(string input, string output) =>
        Pipeline.Create("bench-typed", baseDirectory: Path.GetDirectoryName(Path.GetFullPath(input)))
            .From(Csv.Files<Row>(Path.GetFileName(input)))
            .Validate(c => c
                .Field(f => f.Delay, min: -1440, max: 5000)
                .Field(f => f.Distance, min: 1)
                .Field(f => f.Origin, pattern: "^[A-Z]{3}$")
                .Field(f => f.Destination, pattern: "^[A-Z]{3}$"))
            .Where(f => f.Delay > -20)
            .Select(f => new Output(f.Date, f.Delay, f.Distance, f.Origin, f.Destination, f.Delay > 15, $"{f.Origin}-{f.Destination}"))
            .To(Parquet.Folder<Output>(Path.GetFullPath(output)))
            .With(p => p with { DeadLetter = new(MaxRatio: 0.1) });
}
