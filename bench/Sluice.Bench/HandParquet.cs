using Apache.Arrow;
using ParquetSharp.Arrow;

namespace Sluice.Bench;

/// <summary>Parquet for the hand-written job: ParquetSharp's Arrow reader, typed columns read row by row.</summary>
internal static class HandParquet
{
    public static void Read(string path, HandWriter writer)
    {
        using var file = new FileReader(path);
        var names = file.Schema.FieldsList.Select(f => f.Name).ToArray();
        if (!names.SequenceEqual(FlightsJob.Columns))
        {
            throw new InvalidDataException($"{path} has columns {string.Join(',', names)}; expected {string.Join(',', FlightsJob.Columns)}");
        }
        using var batches = file.GetRecordBatchReader();
        while (batches.ReadNextRecordBatchAsync().AsTask().GetAwaiter().GetResult() is { } batch)
        {
            using (batch)
            {
                var date = (TimestampArray)batch.Column(0);
                var delay = (Int64Array)batch.Column(1);
                var distance = (Int64Array)batch.Column(2);
                var origin = batch.Column(3);
                var destination = batch.Column(4);
                for (int i = 0; i < batch.Length; i++)
                {
                    if (date.GetTimestamp(i) is not { } when || distance.GetValue(i) is not { } miles
                        || origin.IsNull(i) || destination.IsNull(i))
                    {
                        writer.Reject();
                        continue;
                    }
                    writer.Add(when, delay.GetValue(i), miles, Utf8(origin, i), Utf8(destination, i));
                }
            }
        }
    }

    // Files written by pyarrow (like vega-datasets' own) hold large strings; DuckDB writes plain ones.
    private static ReadOnlySpan<byte> Utf8(IArrowArray array, int index) => array switch
    {
        StringArray strings => strings.GetBytes(index),
        LargeStringArray strings => strings.GetBytes(index),
        _ => throw new InvalidDataException($"expected a string column, not {array.Data.DataType.Name}"),
    };
}
