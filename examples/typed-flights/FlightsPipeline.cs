using Sluice;

namespace TypedFlights;

/// <summary>examples/flights/pipeline.yaml written in C#: the same contract, filter, derived columns and output.</summary>
public static class FlightsPipeline
{
    /// <param name="data">Folder of the input CSV files (all of its <c>*.csv</c> are read, in name order).</param>
    /// <param name="output">Folder the Parquet files are published in.</param>
    public static Pipeline Build(string data, string output) =>
        Pipeline.Create("flights-typed", baseDirectory: data)
            .From(Csv.Files<Flight>("*.csv"))
            .Validate(c => c
                .Field(f => f.Delay, min: -120, max: 3000)
                .Field(f => f.Distance, min: 0)
                .Field(f => f.Origin, pattern: "^[A-Z]{3}$")
                .Field(f => f.Destination, pattern: "^[A-Z]{3}$"))
            .Where(f => f.Distance > 0)
            // SQL's delay > 15 is null when delay is; C#'s lifted > would say false.
            .Select(f => new Clean(f.Date, f.Delay, f.Distance, $"{f.Origin}-{f.Destination}", f.Delay is null ? null : f.Delay > 15))
            .To(Parquet.Folder<Clean>(Path.GetFullPath(output)))
            .With(p => p with { DeadLetter = new(MaxRatio: 0.01) });
}
