using Sluice.Testing;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.TypedPipelines;

/// <summary>Every typed file sink and source, chained: records written by one are read back by the next, through
/// the contract each record type implies, and arrive unchanged.</summary>
public sealed class TypedConnectorTests : IDisposable
{
    private readonly TempDir _dir = new();

    public sealed record Reading(string Sensor, DateTime At, double? Value, decimal Price, bool Ok, DateOnly Day, long Count);

    private static readonly Reading[] Readings = Enumerable.Range(0, 50).Select(i => new Reading($"s{i % 3}",
        new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(i * 7.5), i % 5 == 0 ? null : i / 4.0,
        i * 0.25m, i % 2 == 0, new DateOnly(2026, 1, 1).AddDays(i), i * 1000L)).ToArray();

    [Fact]
    public async Task Records_go_through_jsonl_parquet_and_csv_files_unchanged()
    {
        await Write(Memory.Records(Readings), Jsonl.Folder<Reading>("jsonl"));
        await Write(Jsonl.Files<Reading>("jsonl/*.jsonl"), Parquet.Folder<Reading>("parquet"));
        await Write(Parquet.Files<Reading>("parquet/*.parquet"), Csv.Folder<Reading>("csv"));
        var output = Memory.Collect<Reading>();
        await Write(Csv.Files<Reading>("csv/*.csv"), output);

        Assert.Equal(Readings, output.Items);
    }

    private async Task Write(RecordSource<Reading> from, RecordSink<Reading> to)
    {
        var result = await PipelineTest.RunAsync(Pipeline.Create("copy", _dir.Path).From(from).To(to));
        Assert.True(result.Succeeded, result.Error);
        Assert.Equal((50, 50), (result.RecordsRead, result.RecordsWritten));
    }

    public void Dispose() => _dir.Dispose();
}
