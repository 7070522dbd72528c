using Sluice.Connectors.Files;
using System.Text;
using Apache.Arrow;
using Apache.Arrow.Types;
using ParquetSharp.Arrow;
using Sluice.Connectors.Parquet;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.Records;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Connectors.Parquet;

public class ParquetSourceTests
{
    private static readonly DateTimeOffset T0 = new(2024, 2, 29, 13, 45, 6, 789, TimeSpan.Zero);

    [Fact]
    public async Task Columns_are_read_as_sluice_types_with_their_values_and_nulls()
    {
        using var dir = new TempDir();
        WriteAllTypes(dir.File("a.parquet"));

        var (source, batches, counters) = await ReadAsync(dir.Path, "*.parquet");

        Assert.Equal(
            ["i32:Int64", "i64:Int64", "f32:Double", "f64:Double", "b:Boolean", "s:String", "d:Date32", "ts:Timestamp", "dec:Decimal128"],
            source.Schema.FieldsList.Select(f => $"{f.Name}:{f.DataType.TypeId}"));
        var ts = (TimestampType)source.Schema.GetFieldByName("ts").DataType;
        Assert.Equal((TimeUnit.Microsecond, "UTC"), (ts.Unit, ts.Timezone));
        var dec = (Decimal128Type)source.Schema.GetFieldByName("dec").DataType;
        Assert.Equal((28, 2), (dec.Precision, dec.Scale));

        var data = Assert.Single(batches).Data;
        Assert.Equal([1L, null, -3L], ((Int64Array)data.Column("i32")).ToArray());
        Assert.Equal([long.MaxValue, 0L, null], ((Int64Array)data.Column("i64")).ToArray());
        Assert.Equal([1.5, null, -0.25], ((DoubleArray)data.Column("f32")).ToArray());
        Assert.Equal([null, Math.PI, 1e300], ((DoubleArray)data.Column("f64")).ToArray());
        Assert.Equal([true, false, null], ((BooleanArray)data.Column("b")).ToArray());
        var s = (StringArray)data.Column("s");
        Assert.Equal(["héllo", null, ""], Enumerable.Range(0, 3).Select(i => s.GetString(i)));
        var d = (Date32Array)data.Column("d");
        Assert.Equal([new DateOnly(1969, 12, 31), new DateOnly(2024, 2, 29), null], Enumerable.Range(0, 3).Select(i => d.GetDateOnly(i)));
        var t = (TimestampArray)data.Column("ts");
        Assert.Equal([T0, null, DateTimeOffset.UnixEpoch.AddMilliseconds(-1)], Enumerable.Range(0, 3).Select(i => t.GetTimestamp(i)));
        Assert.Equal([12.34m, -0.01m, null], Enumerable.Range(0, 3).Select(i => ((Decimal128Array)data.Column("dec")).GetValue(i)));
        Assert.Equal(3, counters.In);
    }

    [Fact]
    public async Task Other_integer_float_date_timestamp_and_string_types_are_widened()
    {
        using var dir = new TempDir();
        var ns = new TimestampType(TimeUnit.Nanosecond, (string?)null);
        var batch = new RecordBatch.Builder()
            .Append("i8", true, new Int8Array.Builder().Append(-8).AppendNull().Build())
            .Append("u16", true, new UInt16Array.Builder().Append(65535).Append(0).Build())
            .Append("u64", true, new UInt64Array.Builder().Append(42).AppendNull().Build())
            .Append("h", true, new HalfFloatArray.Builder().Append((Half)0.5).AppendNull().Build())
            .Append("d64", true, new Date64Array.Builder().Append(new DateTime(1960, 1, 2)).AppendNull().Build())
            .Append("tns", true, new TimestampArray.Builder(ns).Append(T0.AddTicks(5)).AppendNull().Build())
            .Append("ls", true, new LargeStringArray.Builder().Append("big").AppendNull().Build())
            .Build();
        // Storing the Arrow schema makes the reader return the original Arrow types rather than Parquet's own.
        using (var properties = new ArrowWriterPropertiesBuilder().StoreSchema().Build())
        using (var writer = new FileWriter(dir.File("a.parquet"), batch.Schema, arrowProperties: properties))
        {
            writer.WriteRecordBatch(batch);
            writer.Close();
        }

        var (source, batches, _) = await ReadAsync(dir.Path, "a.parquet");

        Assert.Equal(["Int64", "Int64", "Int64", "Double", "Date32", "Timestamp", "String"],
            source.Schema.FieldsList.Select(f => f.DataType.TypeId.ToString()));
        var data = batches.Single().Data;
        Assert.Equal([-8L, null], ((Int64Array)data.Column("i8")).ToArray());
        Assert.Equal([65535L, 0L], ((Int64Array)data.Column("u16")).ToArray());
        Assert.Equal([42L, null], ((Int64Array)data.Column("u64")).ToArray());
        Assert.Equal([0.5, null], ((DoubleArray)data.Column("h")).ToArray());
        Assert.Equal([new DateOnly(1960, 1, 2), null], Enumerable.Range(0, 2).Select(i => ((Date32Array)data.Column("d64")).GetDateOnly(i)));
        Assert.Equal([T0, null], Enumerable.Range(0, 2).Select(i => ((TimestampArray)data.Column("tns")).GetTimestamp(i)));
        Assert.Equal(["big", null], Enumerable.Range(0, 2).Select(i => ((StringArray)data.Column("ls")).GetString(i)));
    }

    [Fact]
    public async Task A_row_renders_as_a_compact_json_object_with_its_row_number()
    {
        using var dir = new TempDir();
        string file = dir.File("a.parquet");
        WriteAllTypes(file);

        var (_, batches, _) = await ReadAsync(dir.Path, "a.parquet");

        var origin = batches[0].Origins[2];
        Assert.Equal((file, "3"), (origin.Input, origin.Position));
        Assert.Equal(
            """{"i32":-3,"i64":null,"f32":-0.25,"f64":1E+300,"b":null,"s":"","d":null,"ts":"1969-12-31T23:59:59.999+00:00","dec":null}""",
            Encoding.UTF8.GetString(origin.Original.Span));
        Assert.Contains("\"s\":\"h\\u00E9llo\"", Encoding.UTF8.GetString(batches[0].Origins[0].Original.Span));
    }

    [Fact]
    public async Task Files_are_read_in_name_order_in_batches_that_never_span_files()
    {
        using var dir = new TempDir();
        string a = dir.File("a.parquet"), b = dir.File("b.parquet");
        WriteInts(b, 100, 101);
        WriteInts(a, 1, 2, 3, 4, 5);

        var (_, batches, counters) = await ReadAsync(dir.Path, "*.parquet", batchSize: 2);

        Assert.Equal([2, 2, 1, 2], batches.Select(x => x.Length));
        Assert.Equal([new(a, 3, 3), new(a, 5, 5), new(a, 6, 6), new(b, 3, 3)], batches.Select(x => x.FileAt()));
        Assert.Equal([1L, 2, 3, 4, 5, 100, 101], batches.SelectMany(x => ((Int64Array)x.Data.Column(0)).ToArray().Select(v => v!.Value)));
        Assert.Equal([1L, 2, 3, 4, 5, 1, 2], batches.SelectMany(x => Enumerable.Range(0, x.Length).Select(i => x.Origins[i].Line)));
        Assert.Equal(7, counters.In);
    }

    [Fact]
    public async Task With_on_unreadable_file_fail_a_later_file_with_other_columns_fails_the_run_naming_both_files()
    {
        using var dir = new TempDir();
        string a = dir.File("a.parquet"), b = dir.File("b.parquet");
        WriteInts(a, 1);
        Write(b, new RecordBatch.Builder().Append("n", true, new StringArray.Builder().Append("x").Build()).Build());
        var source = new ParquetSourceOptions { Path = "*.parquet", OnUnreadableFile = OnUnreadableFile.Fail }
            .CreateSource(new BuildContext(dir.Path, "run"));

        var error = await Assert.ThrowsAsync<InvalidDataException>(async () =>
        {
            await foreach (var _ in source.ReadAsync(new CollectingDeadLetters().Context("source", StageKind.Source), null, CancellationToken.None))
            {
            }
        });

        Assert.Contains(a, error.Message);
        Assert.Contains(b, error.Message);
    }

    [Fact]
    public void An_unsupported_column_type_is_a_pipeline_error_naming_the_column_and_type()
    {
        using var dir = new TempDir();
        Write(dir.File("a.parquet"), new RecordBatch.Builder()
            .Append("ok", true, new Int32Array.Builder().Append(1).Build())
            .Append("blob", true, new BinaryArray.Builder().Append([1, 2]).Build())
            .Build());

        var error = Assert.Throws<PipelineException>(() => Source(dir.Path, "a.parquet"));

        var problem = Assert.Single(error.Diagnostics);
        Assert.Contains("column 'blob'", problem.Message);
        Assert.Contains("binary", problem.Message);
    }

    [Fact]
    public void A_decimal_wider_than_28_digits_is_a_pipeline_error()
    {
        using var dir = new TempDir();
        Write(dir.File("a.parquet"), new RecordBatch.Builder()
            .Append("big", true, new Decimal128Array.Builder(new Decimal128Type(38, 4)).Append(1m).Build())
            .Build());

        var error = Assert.Throws<PipelineException>(() => Source(dir.Path, "a.parquet"));

        Assert.Contains("column 'big'", error.Message);
        Assert.Contains("decimal(38, 4) has more than the 28 digits", error.Message);
    }

    [Fact]
    public void No_matching_file_is_a_pipeline_error()
    {
        using var dir = new TempDir();

        var error = Assert.Throws<PipelineException>(() => Source(dir.Path, "*.parquet"));

        Assert.Equal($"no file matches '*.parquet' in {dir.Path}", error.Message);
    }

    private static ISource Source(string directory, string path, int batchSize = 4096) =>
        new ParquetSourceOptions { Path = path }.CreateSource(new BuildContext(directory, "run") { BatchSize = batchSize });

    private static async Task<(ISource, List<Batch>, StageCounters)> ReadAsync(string directory, string path, int batchSize = 4096)
    {
        var source = Source(directory, path, batchSize);
        var context = new CollectingDeadLetters().Context("source", StageKind.Source);
        var batches = new List<Batch>();
        await foreach (var batch in source.ReadAsync(context, null, CancellationToken.None))
        {
            Assert.Equal(source.Schema, batch.Schema);
            batches.Add(batch);
        }
        return (source, batches, context.Counters);
    }

    internal static void WriteInts(string path, params int[] values) =>
        Write(path, new RecordBatch.Builder().Append("n", true, new Int32Array.Builder().AppendRange(values).Build()).Build());

    private static void WriteAllTypes(string path) => Write(path, new RecordBatch.Builder()
        .Append("i32", true, new Int32Array.Builder().Append(1).AppendNull().Append(-3).Build())
        .Append("i64", true, new Int64Array.Builder().Append(long.MaxValue).Append(0).AppendNull().Build())
        .Append("f32", true, new FloatArray.Builder().Append(1.5f).AppendNull().Append(-0.25f).Build())
        .Append("f64", true, new DoubleArray.Builder().AppendNull().Append(Math.PI).Append(1e300).Build())
        .Append("b", true, new BooleanArray.Builder().Append(true).Append(false).AppendNull().Build())
        .Append("s", true, new StringArray.Builder().Append("héllo").AppendNull().Append("").Build())
        .Append("d", true, new Date32Array.Builder().Append(new DateOnly(1969, 12, 31)).Append(new DateOnly(2024, 2, 29)).AppendNull().Build())
        .Append("ts", true, new TimestampArray.Builder(new TimestampType(TimeUnit.Millisecond, "UTC"))
            .Append(T0).AppendNull().Append(DateTimeOffset.UnixEpoch.AddMilliseconds(-1)).Build())
        .Append("dec", true, new Decimal128Array.Builder(new Decimal128Type(10, 2)).Append(12.34m).Append(-0.01m).AppendNull().Build())
        .Build());

    internal static void Write(string path, RecordBatch batch)
    {
        using var writer = new FileWriter(path, batch.Schema);
        writer.WriteRecordBatch(batch);
        writer.Close();
    }
}
