using Apache.Arrow;
using Apache.Arrow.Types;
using CsCheck;
using Sluice.Connectors.Csv;
using Sluice.Connectors.Jsonl;
using Sluice.Connectors.Parquet;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.Records;
using Sluice.Tests.Connectors.Csv;
using Sluice.Tests.Connectors.Jsonl;
using Sluice.Tests.Connectors.Parquet;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Connectors.Files;

/// <summary>What every part-file sink must do, run against parquet, jsonl and csv alike.</summary>
public class PartFileSinkTests
{
    public static TheoryData<string> Formats => ["parquet", "jsonl", "csv"];

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Every_value_of_every_type_reads_back(string format)
    {
        using var dir = new TempDir();
        var rows = SinkRows.Sample;

        var published = await SinkRows.WriteAsync(format, dir.Path, [rows.Take(2).ToList(), rows.Skip(2).ToList()]);

        Assert.Equal(SinkRows.AsWritten(format, rows), SinkRows.ReadAll(format, published));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Files_stay_in_progress_until_complete(string format)
    {
        using var dir = new TempDir();
        string folder = Path.Combine(dir.Path, "out");
        await using var sink = SinkRows.Create(format, dir.Path, maxRowsPerFile: 4);

        await sink.WriteAsync(SinkRows.ToBatch(SinkRows.Sample), SinkRows.Context(), default); // 7 rows: a full part and an open one

        var inProgress = Directory.GetFiles(folder).Select(Path.GetFileName).Order().ToList();
        Assert.Equal([$"part-run1-00000.{format}.inprogress", $"part-run1-00001.{format}.inprogress"], inProgress);
        Assert.Empty(Directory.GetFiles(folder, $"*.{format}"));
        Assert.Empty(sink.Published);

        await sink.CompleteAsync(default);

        Assert.Equal([Path.Combine(folder, $"part-run1-00000.{format}"), Path.Combine(folder, $"part-run1-00001.{format}")], sink.Published);
        Assert.Equal(sink.Published, Directory.GetFiles(folder).Order());
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Abort_deletes_in_progress_files_and_tolerates_missing_ones(string format)
    {
        using var dir = new TempDir();
        string folder = Path.Combine(dir.Path, "out");
        await using var sink = SinkRows.Create(format, dir.Path, maxRowsPerFile: 2);
        await sink.WriteAsync(SinkRows.ToBatch(SinkRows.Sample), SinkRows.Context(), default);
        File.Delete(Directory.GetFiles(folder)[0]);

        await sink.AbortAsync();
        await sink.AbortAsync();

        Assert.Empty(Directory.GetFiles(folder));
        Assert.Empty(sink.Published);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Abort_after_the_folder_vanished_does_not_throw(string format)
    {
        using var dir = new TempDir();
        await using var sink = SinkRows.Create(format, dir.Path, maxRowsPerFile: 2);
        await sink.WriteAsync(SinkRows.ToBatch(SinkRows.Sample), SinkRows.Context(), default);
        await sink.DisposeAsync();
        Directory.Delete(Path.Combine(dir.Path, "out"), recursive: true);

        await sink.AbortAsync();
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Abort_after_complete_keeps_published_files(string format)
    {
        using var dir = new TempDir();
        await using var sink = SinkRows.Create(format, dir.Path);
        await sink.WriteAsync(SinkRows.ToBatch(SinkRows.Sample), SinkRows.Context(), default);
        await sink.CompleteAsync(default);

        await sink.AbortAsync();

        Assert.Single(sink.Published);
        Assert.True(File.Exists(sink.Published[0]));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Rolls_over_at_max_rows_per_file(string format)
    {
        using var dir = new TempDir();
        var rows = Enumerable.Range(0, 10).Select(i => SinkRows.Sample[i % SinkRows.Sample.Count]).ToList();

        var published = await SinkRows.WriteAsync(format, dir.Path, rows.Chunk(3).Select(c => c.ToList()), maxRowsPerFile: 4);

        Assert.Equal(3, published.Count);
        Assert.Equal([4, 4, 2], published.Select(p => SinkRows.Read(format, p).Count));
        Assert.Equal(SinkRows.AsWritten(format, rows), SinkRows.ReadAll(format, published));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task No_rows_publish_nothing(string format)
    {
        using var dir = new TempDir();

        var published = await SinkRows.WriteAsync(format, dir.Path, [[], []]);

        Assert.Empty(published);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "out"))); // not even the folder: no file was ever opened
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Columns_of_other_arrow_types_are_refused_when_the_sink_is_built(string format)
    {
        using var dir = new TempDir();
        var schema = new Schema.Builder()
            .Field(new Field("ok", Int64Type.Default, true))
            .Field(new Field("small", Int32Type.Default, true))
            .Field(new Field("millis", new TimestampType(TimeUnit.Millisecond, "UTC"), true))
            .Build();

        var error = Assert.Throws<PipelineException>(() => SinkRows.Options(format, "out", 10).CreateSink(schema, new BuildContext(dir.Path, "run1")));

        Assert.Equal(2, error.Diagnostics.Count);
        Assert.Contains("'small'", error.Diagnostics[0].Message);
        Assert.Contains("'millis'", error.Diagnostics[1].Message);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Options_built_in_code_are_checked_when_the_sink_is_built(string format)
    {
        using var dir = new TempDir();

        var error = Assert.Throws<PipelineException>(() => SinkRows.Options(format, "out", 0).CreateSink(SinkRows.Schema, new BuildContext(dir.Path, "run1")));

        Assert.Contains("max_rows_per_file", error.Message);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Random_rows_round_trip(string format)
    {
        var gen = Gen.Select(SinkRows.RowGen.Array[0, 40], Gen.Int[1, 9], Gen.Int[1, 15]);
        gen.Sample((rows, batchSize, maxRows) =>
        {
            using var dir = new TempDir();
            var published = SinkRows.WriteAsync(format, dir.Path, rows.Chunk(batchSize).Select(c => c.ToList()), maxRows)
                .GetAwaiter().GetResult();

            Assert.Equal((rows.Length + maxRows - 1) / maxRows, published.Count);
            Assert.Equal(SinkRows.AsWritten(format, rows), SinkRows.ReadAll(format, published));
        }, iter: 60);
    }
}

/// <summary>Rows of all seven Sluice types as CLR values (bool, long, double, decimal, string, DateOnly, UTC DateTime),
/// the batches they make, and format-neutral write and read helpers for sink tests.</summary>
internal static class SinkRows
{
    public const int DecimalScale = 4;

    public static Schema Schema { get; } = new Schema.Builder()
        .Field(FieldTypes.ArrowField("flag", FieldType.Bool))
        .Field(FieldTypes.ArrowField("count", FieldType.Int64))
        .Field(FieldTypes.ArrowField("ratio", FieldType.Float64))
        .Field(FieldTypes.ArrowField("price", FieldType.Decimal, DecimalScale))
        .Field(FieldTypes.ArrowField("name", FieldType.String))
        .Field(FieldTypes.ArrowField("day", FieldType.Date))
        .Field(FieldTypes.ArrowField("at", FieldType.Timestamp))
        .Build();

    public static FieldType[] Types { get; } =
        [FieldType.Bool, FieldType.Int64, FieldType.Float64, FieldType.Decimal, FieldType.String, FieldType.Date, FieldType.Timestamp];

    public static IReadOnlyList<object?[]> Sample { get; } =
    [
        [true, 42L, 1.5, 12.3400m, "plain", new DateOnly(2024, 2, 29), Utc(2024, 2, 29, 13, 45, 6, 123456)],
        [false, long.MinValue, -0.1, -99999999.9999m, "quote \" comma , semi ; \r\n crlf é 😀", new DateOnly(1969, 12, 31), Utc(1969, 12, 31, 23, 59, 59, 999999)],
        [null, null, null, null, null, null, null],
        [true, long.MaxValue, double.NaN, 0m, "", new DateOnly(1, 1, 1), Utc(1970, 1, 1, 0, 0, 0, 0)],
        [false, 0L, double.PositiveInfinity, 123456789012345678901234.5678m, "line\nbreak", new DateOnly(9999, 12, 31), Utc(9999, 12, 31, 23, 59, 59, 999999)],
        [null, -1L, double.NegativeInfinity, null, "\"", null, null],
        [true, null, 1e300, 0.0001m, " lead and trail ", new DateOnly(2000, 1, 1), Utc(2000, 1, 1, 0, 0, 0, 1)],
    ];

    private static readonly Gen<string> Text = Gen.OneOf("a", "Zz", "é", "中文", "😀", "\"", ",", ";", "\t", "\n", "\r", "\r\n", " ", "\\", "\u0001", "{}")
        .Array[0, 6].Select(parts => string.Concat(parts));

    public static Gen<object?[]> RowGen { get; } = Gen.Select(
        Nullable(Gen.Bool),
        Nullable(Gen.Long),
        Nullable(Gen.Double),
        Nullable(Gen.Long[-999_999_999_999_999L, 999_999_999_999_999L].Select(m => m / 10_000m)),
        Nullable(Text),
        Nullable(Gen.Int[-700_000, 2_900_000].Select(d => DateOnly.FromDayNumber(719_162 + d))),
        Nullable(Gen.Long[-2_208_988_800_000_000L, 7_258_118_400_000_000L].Select(FromMicros)),
        (a, b, c, d, e, f, g) => new[] { a, b, c, d, e, f, g });

    private static Gen<object?> Nullable<T>(Gen<T> gen) where T : notnull =>
        Gen.Frequency((1, Gen.Bool.Select(_ => (object?)null)), (4, gen.Select(v => (object?)v)));

    public static DateTime Utc(int y, int mo, int d, int h, int mi, int s, int micros) =>
        new DateTime(y, mo, d, h, mi, s, DateTimeKind.Utc).AddTicks(micros * 10L);

    public static DateTime FromMicros(long micros) => new(DateTime.UnixEpoch.Ticks + micros * 10, DateTimeKind.Utc);

    public static StageContext Context() => new CollectingDeadLetters().Context("sink", StageKind.Sink);

    public static ISinkOptions Options(string format, string path, long maxRowsPerFile) => format switch
    {
        "parquet" => new ParquetSinkOptions { Path = path, MaxRowsPerFile = maxRowsPerFile, RowGroupRows = 3 },
        "jsonl" => new JsonlSinkOptions { Path = path, MaxRowsPerFile = maxRowsPerFile },
        "csv" => new CsvSinkOptions { Path = path, MaxRowsPerFile = maxRowsPerFile },
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    /// <summary>A sink writing into <c>out</c> under <paramref name="baseDirectory"/> for run <c>run1</c>.</summary>
    public static ISink Create(string format, string baseDirectory, long maxRowsPerFile = 1000) =>
        Options(format, "out", maxRowsPerFile).CreateSink(Schema, new BuildContext(baseDirectory, "run1"));

    /// <summary>Writes each list of rows as one batch, completes, and returns what was published.</summary>
    public static async Task<IReadOnlyList<string>> WriteAsync(string format, string baseDirectory, IEnumerable<IReadOnlyList<object?[]>> batches, long maxRowsPerFile = 1000)
    {
        await using var sink = Create(format, baseDirectory, maxRowsPerFile);
        foreach (var rows in batches)
        {
            await sink.WriteAsync(ToBatch(rows), Context(), default);
        }
        await sink.CompleteAsync(default);
        return sink.Published;
    }

    public static List<object?[]> Read(string format, string path) => format switch
    {
        "parquet" => ParquetSinkTests.Read(path),
        "jsonl" => JsonlSinkTests.Read(path),
        "csv" => CsvSinkTests.Read(path),
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    public static List<object?[]> ReadAll(string format, IEnumerable<string> paths) => paths.SelectMany(p => Read(format, p)).ToList();

    /// <summary>The rows as <paramref name="format"/> stores them: JSON has no NaN or infinity, so JSON Lines writes
    /// those doubles as null.</summary>
    public static IReadOnlyList<object?[]> AsWritten(string format, IReadOnlyList<object?[]> rows) => format != "jsonl" ? rows
        : rows.Select(row => row.Select(v => v is double d && !double.IsFinite(d) ? null : v).ToArray()).ToList();

    public static Batch ToBatch(IReadOnlyList<object?[]> rows)
    {
        var bools = new BooleanArray.Builder();
        var longs = new Int64Array.Builder();
        var doubles = new DoubleArray.Builder();
        var decimals = new Decimal128Array.Builder((Decimal128Type)Schema.FieldsList[3].DataType);
        var strings = new StringArray.Builder();
        var dates = new Date32Array.Builder();
        var stamps = new TimestampArray.Builder((TimestampType)Schema.FieldsList[6].DataType);
        foreach (var row in rows)
        {
            if (row[0] is bool b) bools.Append(b); else bools.AppendNull();
            if (row[1] is long l) longs.Append(l); else longs.AppendNull();
            if (row[2] is double d) doubles.Append(d); else doubles.AppendNull();
            if (row[3] is decimal m) decimals.Append(m); else decimals.AppendNull();
            if (row[4] is string s) strings.Append(s); else strings.AppendNull();
            if (row[5] is DateOnly day) dates.Append(day); else dates.AppendNull();
            if (row[6] is DateTime t) stamps.Append(new DateTimeOffset(t)); else stamps.AppendNull();
        }
        IArrowArray[] arrays = [bools.Build(), longs.Build(), doubles.Build(), decimals.Build(), strings.Build(), dates.Build(), stamps.Build()];
        return new Batch(new RecordBatch(Schema, arrays, rows.Count), new RowOrigins(new NoOrigins(rows.Count)));
    }

    private sealed class NoOrigins(int count) : IOriginalRows
    {
        public string Input => "test";
        public int Count => count;
        public string Position(int index) => (index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        public ReadOnlyMemory<byte> Bytes(int index) => ReadOnlyMemory<byte>.Empty;
    }
}
