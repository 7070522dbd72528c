using Apache.Arrow;
using Apache.Arrow.Types;
using ParquetSharp;

namespace Sluice.Bench;

/// <summary>The hand-written job's back half: checks a typed row against the contract's bounds and patterns,
/// applies the filter, derives <c>late</c> and <c>route</c>, appends to Arrow builders and writes each 64k-row
/// batch as a zstd Parquet row group. The caller has already parsed the fields and checked they are present.</summary>
internal sealed class HandWriter : IDisposable
{
    private const int BatchRows = 65_536;

    private static readonly TimestampType Timestamp = new(Apache.Arrow.Types.TimeUnit.Microsecond, "UTC");

    private static readonly Schema OutputSchema = new Schema.Builder()
        .Field(new Field("date", Timestamp, nullable: false))
        .Field(new Field("delay", Int64Type.Default, nullable: true))
        .Field(new Field("distance", Int64Type.Default, nullable: false))
        .Field(new Field("origin", StringType.Default, nullable: false))
        .Field(new Field("destination", StringType.Default, nullable: false))
        .Field(new Field("late", BooleanType.Default, nullable: true))
        .Field(new Field("route", StringType.Default, nullable: false))
        .Build();

    private readonly ParquetSharp.Arrow.FileWriter _writer;
    private Builders _builders = new();
    private int _rows;
    private long _written;

    public HandWriter(string path)
    {
        using var properties = new WriterPropertiesBuilder().Compression(Compression.Zstd).Build();
        _writer = new ParquetSharp.Arrow.FileWriter(path, OutputSchema, properties);
    }

    public long Rejected { get; private set; }

    public long Filtered { get; private set; }

    /// <summary>Counts a row that could not be parsed or lacks a required field.</summary>
    public void Reject() => Rejected++;

    /// <summary>Checks, filters, derives and buffers one row.</summary>
    public void Add(DateTimeOffset date, long? delay, long distance, ReadOnlySpan<byte> origin, ReadOnlySpan<byte> destination)
    {
        if (delay is < FlightsJob.DelayMin or > FlightsJob.DelayMax || distance < FlightsJob.DistanceMin
            || !FlightsJob.IsAirportCode(origin) || !FlightsJob.IsAirportCode(destination))
        {
            Rejected++;
            return;
        }
        if (!(delay > FlightsJob.FilterDelayAbove))
        {
            Filtered++;
            return;
        }
        var b = _builders;
        b.Date.Append(date);
        b.Delay.Append(delay);
        b.Distance.Append(distance);
        b.Origin.Append(origin);
        b.Destination.Append(destination);
        b.Late.Append(delay > FlightsJob.LateAbove);
        Span<byte> route = stackalloc byte[origin.Length + 1 + destination.Length];
        origin.CopyTo(route);
        route[origin.Length] = (byte)'-';
        destination.CopyTo(route[(origin.Length + 1)..]);
        b.Route.Append(route);
        if (++_rows == BatchRows)
        {
            Flush();
        }
    }

    /// <summary>Writes the last batch and closes the file; returns the rows written.</summary>
    public long Finish()
    {
        Flush();
        _writer.Close();
        return _written;
    }

    public void Dispose() => _writer.Dispose();

    private void Flush()
    {
        if (_rows == 0)
        {
            return;
        }
        var b = _builders;
        using var batch = new RecordBatch(OutputSchema,
            [b.Date.Build(), b.Delay.Build(), b.Distance.Build(), b.Origin.Build(), b.Destination.Build(), b.Late.Build(), b.Route.Build()],
            _rows);
        _writer.WriteRecordBatch(batch);
        _written += _rows;
        _rows = 0;
        _builders = new Builders();
    }

    private sealed class Builders
    {
        public TimestampArray.Builder Date { get; } = new TimestampArray.Builder(Timestamp).Reserve(BatchRows);
        public Int64Array.Builder Delay { get; } = new Int64Array.Builder().Reserve(BatchRows);
        public Int64Array.Builder Distance { get; } = new Int64Array.Builder().Reserve(BatchRows);
        public StringArray.Builder Origin { get; } = new StringArray.Builder().Reserve(BatchRows);
        public StringArray.Builder Destination { get; } = new StringArray.Builder().Reserve(BatchRows);
        public BooleanArray.Builder Late { get; } = new BooleanArray.Builder().Reserve(BatchRows);
        public StringArray.Builder Route { get; } = new StringArray.Builder().Reserve(BatchRows);
    }
}
