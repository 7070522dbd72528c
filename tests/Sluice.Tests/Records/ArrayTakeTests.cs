using Apache.Arrow;
using Apache.Arrow.Types;
using CsCheck;
using Sluice.Records;

namespace Sluice.Tests.Records;

public class ArrayTakeTests
{
    [Fact]
    public void Takes_rows_of_every_sluice_type_keeping_nulls()
    {
        var ints = new Int64Array.Builder().Append(1).AppendNull().Append(3).Append(4).Build();
        var strings = new StringArray.Builder().Append("a").Append("").AppendNull().Append("dé").Build();
        var bools = new BooleanArray.Builder().Append(true).Append(false).AppendNull().Append(true).Build();
        var doubles = new DoubleArray.Builder().Append(0.5).Append(1.5).Append(2.5).AppendNull().Build();
        var dates = new Date32Array.Builder().Append(new DateTime(2001, 1, 1)).AppendNull().Append(new DateTime(2001, 1, 3)).Append(new DateTime(2001, 1, 4)).Build();
        var decimals = new Decimal128Array.Builder(new Decimal128Type(28, 2)).Append(1.25m).Append(-2.5m).AppendNull().Append(0m).Build();

        int[] rows = [0, 2, 3];

        Assert.Equal([1L, 3L, 4L], ((Int64Array)ArrayTake.Take(ints, rows)).Values.ToArray());
        var s = (StringArray)ArrayTake.Take(strings, rows);
        Assert.Equal(["a", null, "dé"], Enumerable.Range(0, 3).Select(i => s.GetString(i)));
        var b = (BooleanArray)ArrayTake.Take(bools, rows);
        Assert.Equal([true, null, true], Enumerable.Range(0, 3).Select(i => b.GetValue(i)));
        var d = (DoubleArray)ArrayTake.Take(doubles, rows);
        Assert.Equal([0.5, 2.5, null], Enumerable.Range(0, 3).Select(i => d.GetValue(i)));
        var dt = (Date32Array)ArrayTake.Take(dates, [1, 3]);
        Assert.Equal([null, new DateTime(2001, 1, 4)], Enumerable.Range(0, 2).Select(i => dt.GetDateTime(i)));
        var m = (Decimal128Array)ArrayTake.Take(decimals, [1, 2]);
        Assert.Equal([-2.5m, null], Enumerable.Range(0, 2).Select(i => m.GetValue(i)));
    }

    [Fact]
    public void Taking_any_subset_of_strings_matches_linq()
    {
        Gen.Select(Gen.String.Null().Array[0, 50], Gen.Bool.Array[50]).Sample((values, mask) =>
        {
            var builder = new StringArray.Builder();
            foreach (var v in values)
            {
                if (v is null) builder.AppendNull(); else builder.Append(v);
            }
            var rows = Enumerable.Range(0, values.Length).Where(i => mask[i]).ToArray();

            var taken = (StringArray)ArrayTake.Take(builder.Build(), rows);

            Assert.Equal(rows.Select(i => values[i]), Enumerable.Range(0, rows.Length).Select(i => taken.GetString(i)));
        });
    }
}

public class ArrayTakeSliceTests
{
    /// <summary>Sliced arrays (a non-zero offset) with nulls, for every kind of buffer the take copies.</summary>
    [Fact]
    public void Taking_rows_of_sliced_arrays_matches_linq()
    {
        var value = Gen.Frequency((1, Gen.Const((long?)null)), (4, Gen.Long.Select(v => (long?)v)));
        Gen.Select(value.Array[1, 60], Gen.Int[0, 20], Gen.Bool.Array[80]).Sample(t =>
        {
            var (values, skip, mask) = t;
            skip = Math.Min(skip, values.Length - 1);
            var ints = new Int64Array.Builder();
            var strings = new StringArray.Builder();
            var bools = new BooleanArray.Builder();
            foreach (var v in values)
            {
                if (v is null) { ints.AppendNull(); strings.AppendNull(); bools.AppendNull(); }
                else { ints.Append(v.Value); strings.Append(v.Value.ToString()); bools.Append(v.Value % 2 == 0); }
            }
            int length = values.Length - skip;
            var rows = Enumerable.Range(0, length).Where(i => mask[i]).ToArray();
            var expected = rows.Select(i => values[skip + i]).ToArray();

            var takenInts = (Int64Array)ArrayTake.Take(ints.Build().Slice(skip, length), rows);
            var takenStrings = (StringArray)ArrayTake.Take(strings.Build().Slice(skip, length), rows);
            var takenBools = (BooleanArray)ArrayTake.Take(bools.Build().Slice(skip, length), rows);

            Assert.Equal(expected, Enumerable.Range(0, rows.Length).Select(i => takenInts.GetValue(i)));
            Assert.Equal(expected.Select(v => v?.ToString()), Enumerable.Range(0, rows.Length).Select(i => takenStrings.GetString(i)));
            Assert.Equal(expected.Select(v => v is null ? (bool?)null : v % 2 == 0), Enumerable.Range(0, rows.Length).Select(i => takenBools.GetValue(i)));
        });
    }
}
