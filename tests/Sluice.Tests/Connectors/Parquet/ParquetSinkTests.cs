using Apache.Arrow;
using Apache.Arrow.Types;
using ParquetSharp;
using Sluice.Configuration;
using Sluice.Connectors.Parquet;
using Sluice.Pipelines;
using Sluice.Tests.Connectors.Files;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Connectors.Parquet;

public class ParquetSinkTests
{
    [Theory]
    [InlineData(Compression.Zstd)]
    [InlineData(Compression.Snappy)]
    [InlineData(Compression.Gzip)]
    [InlineData(Compression.Uncompressed)]
    public async Task Every_column_uses_the_chosen_compression(Compression compression)
    {
        using var dir = new TempDir();
        await using var sink = new ParquetSinkOptions { Path = "out", Compression = compression }
            .CreateSink(SinkRows.Schema, new BuildContext(dir.Path, "run1"));
        await sink.WriteAsync(SinkRows.ToBatch(SinkRows.Sample), SinkRows.Context(), default);
        await sink.CompleteAsync(default);

        using var reader = new ParquetFileReader(sink.Published.Single());
        using var rowGroup = reader.RowGroup(0);
        var codecs = Enumerable.Range(0, rowGroup.MetaData.NumColumns).Select(c => rowGroup.MetaData.GetColumnChunkMetaData(c).Compression);
        Assert.All(codecs, codec => Assert.Equal(compression, codec));
    }

    [Fact]
    public async Task Row_groups_span_batches_up_to_row_group_rows()
    {
        using var dir = new TempDir();
        await using var sink = new ParquetSinkOptions { Path = "out", RowGroupRows = 5 }
            .CreateSink(SinkRows.Schema, new BuildContext(dir.Path, "run1"));
        for (int i = 0; i < 4; i++)
        {
            await sink.WriteAsync(SinkRows.ToBatch(SinkRows.Sample.Take(3).ToList()), SinkRows.Context(), default);
        }
        await sink.CompleteAsync(default);

        using var reader = new ParquetFileReader(sink.Published.Single());
        var sizes = Enumerable.Range(0, reader.FileMetaData.NumRowGroups).Select(g => { using var rg = reader.RowGroup(g); return rg.MetaData.NumRows; });
        Assert.Equal([5L, 5L, 2L], sizes);
    }

    [Fact]
    public async Task File_schema_keeps_the_sluice_types()
    {
        using var dir = new TempDir();
        var published = await SinkRows.WriteAsync("parquet", dir.Path, [SinkRows.Sample]);

        using var reader = new ParquetSharp.Arrow.FileReader(published[0]);
        var types = reader.Schema.FieldsList.Select(f => f.DataType).ToList();
        Assert.IsType<BooleanType>(types[0]);
        Assert.IsType<Int64Type>(types[1]);
        Assert.IsType<DoubleType>(types[2]);
        Assert.Equal((28, SinkRows.DecimalScale), (((Decimal128Type)types[3]).Precision, ((Decimal128Type)types[3]).Scale));
        Assert.IsType<StringType>(types[4]);
        Assert.IsType<Date32Type>(types[5]);
        Assert.Equal((Apache.Arrow.Types.TimeUnit.Microsecond, "UTC"), (((TimestampType)types[6]).Unit, ((TimestampType)types[6]).Timezone));
    }

    [Fact]
    public void Spec_binds_options_and_rejects_non_positive_sizes()
    {
        var loc = new SourceLocation("p.yaml", 3, 5);
        ConfigNode Map(params (string Key, string Value)[] entries) =>
            ConfigNode.Map(loc, entries.Select(e => KeyValuePair.Create(e.Key, ConfigNode.Scalar(loc, e.Value))).ToList());

        var bound = (ParquetSinkOptions)ParquetSinkOptions.Spec.Bind(Map(("path", "out/x"), ("compression", "snappy"), ("row_group_rows", "1000"), ("max_rows_per_file", "50")));
        var defaults = (ParquetSinkOptions)ParquetSinkOptions.Spec.Bind(Map(("path", "out/x")));

        Assert.Equal(("out/x", Compression.Snappy, 1000L, 50L), (bound.Path, bound.Compression, bound.RowGroupRows, bound.MaxRowsPerFile));
        Assert.Equal((Compression.Zstd, 131_072L, 1_000_000L), (defaults.Compression, defaults.RowGroupRows, defaults.MaxRowsPerFile));
        Assert.Equal(Compression.Uncompressed, ((ParquetSinkOptions)ParquetSinkOptions.Spec.Bind(Map(("path", "o"), ("compression", "none")))).Compression);
        var error = Assert.Throws<PipelineException>(() => ParquetSinkOptions.Spec.Bind(Map(("path", "o"), ("row_group_rows", "0"))));
        Assert.Contains("row_group_rows must be at least 1", error.Message);
    }

    /// <summary>Reads a Parquet file with ParquetSharp's Arrow reader into rows of CLR values.</summary>
    internal static List<object?[]> Read(string path)
    {
        using var reader = new ParquetSharp.Arrow.FileReader(path);
        using var batches = reader.GetRecordBatchReader();
        var rows = new List<object?[]>();
        while (batches.ReadNextRecordBatchAsync().AsTask().GetAwaiter().GetResult() is { } batch)
        {
            using (batch)
            {
                for (int r = 0; r < batch.Length; r++)
                {
                    rows.Add(
                    [
                        ((BooleanArray)batch.Column(0)).GetValue(r),
                        ((Int64Array)batch.Column(1)).GetValue(r),
                        ((DoubleArray)batch.Column(2)).GetValue(r),
                        ((Decimal128Array)batch.Column(3)).GetValue(r),
                        ((StringArray)batch.Column(4)).GetString(r),
                        ((Date32Array)batch.Column(5)).GetDateOnly(r),
                        ((TimestampArray)batch.Column(6)).GetTimestamp(r)?.UtcDateTime,
                    ]);
                }
            }
        }
        return rows;
    }
}
