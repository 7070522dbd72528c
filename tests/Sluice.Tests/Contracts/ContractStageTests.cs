using Sluice.State;
using System.Text.RegularExpressions;
using Apache.Arrow;
using Apache.Arrow.Types;
using Sluice.Contracts;
using Sluice.DeadLetters;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.Records;
using Sluice.Tests.TestSupport;
using static Sluice.Tests.Contracts.ContractTestBatches;

namespace Sluice.Tests.Contracts;

public class ContractStageTests
{
    private static readonly BuildContext Build = new(".", "run-1");

    private static (Batch? Output, IReadOnlyList<DeadLetter> Letters) Run(Batch input, UnknownFields unknown, params FieldContract[] fields)
    {
        var options = new ContractOptions { Fields = fields, UnknownFields = unknown };
        var stage = options.CreateTransform(input.Schema, Build);
        var letters = new CollectingDeadLetters();
        StageContext context = letters.Context("contract", StageKind.Contract);
        Batch? output = stage.Apply(input, context);
        Assert.Equal(input.Length, (output?.Length ?? 0) + context.Counters.DeadLettered);
        Assert.Equal(0, context.Counters.Filtered);
        Assert.Equal(context.Counters.DeadLettered, letters.Letters.Count);
        if (output is not null)
        {
            Assert.Equal(stage.OutputSchema.FieldsList.Select(f => (f.Name, f.DataType.Name)),
                output.Schema.FieldsList.Select(f => (f.Name, f.DataType.Name)));
            Assert.Equal(output.Length, output.Origins.Count);
        }
        return (output, letters.Letters);
    }

    private static (Batch? Output, IReadOnlyList<DeadLetter> Letters) Run(Batch input, params FieldContract[] fields) =>
        Run(input, UnknownFields.Reject, fields);

    private static DeadLetter Single(IReadOnlyList<DeadLetter> letters) => Assert.Single(letters);

    [Fact]
    public void Parses_every_type_from_text()
    {
        var input = Text(
            ("b", ["true", " No ", "1", null]),
            ("i", ["42", "-7", " +3 ", ""]),
            ("f", ["2.5", "-1e3", "0", "  "]),
            ("m", ["19.99", "-0.5", "7", "1.230"]),
            ("d", ["2024-02-29", "1970-01-01", "0001-01-01", null]),
            ("t", ["2024-01-31T12:00:00Z", "2024-01-31 12:00:00.123456+02:00", "2024-01-31", "2024-01-31T12:00"]),
            ("s", ["x", "", " y ", null]));
        var (output, letters) = Run(input,
            new FieldContract("b", FieldType.Bool), new FieldContract("i", FieldType.Int64),
            new FieldContract("f", FieldType.Float64), new FieldContract("m", FieldType.Decimal) { Scale = 2 },
            new FieldContract("d", FieldType.Date), new FieldContract("t", FieldType.Timestamp),
            new FieldContract("s", FieldType.String));
        Assert.Empty(letters);
        var data = output!.Data;
        Assert.Equal([true, false, true, null], Enumerable.Range(0, 4).Select(((BooleanArray)data.Column("b")).GetValue));
        Assert.Equal([42L, -7L, 3L, null], ((Int64Array)data.Column("i")).ToList(true));
        Assert.Equal([2.5, -1000.0, 0.0, null], ((DoubleArray)data.Column("f")).ToList(true));
        var m = (Decimal128Array)data.Column("m");
        Assert.Equal([19.99m, -0.5m, 7m, 1.23m], Enumerable.Range(0, 4).Select(r => m.GetValue(r)!.Value));
        Assert.Equal(new Decimal128Type(28, 2), m.Data.DataType, ArrowTypeComparer);
        var d = (Date32Array)data.Column("d");
        Assert.Equal([new DateOnly(2024, 2, 29), new DateOnly(1970, 1, 1), new DateOnly(1, 1, 1), null],
            Enumerable.Range(0, 4).Select(d.GetDateOnly));
        var t = (TimestampArray)data.Column("t");
        Assert.Equal(
            [new DateTimeOffset(2024, 1, 31, 12, 0, 0, TimeSpan.Zero),
             new DateTimeOffset(2024, 1, 31, 10, 0, 0, TimeSpan.Zero).AddTicks(1_234_560),
             new DateTimeOffset(2024, 1, 31, 0, 0, 0, TimeSpan.Zero),
             new DateTimeOffset(2024, 1, 31, 12, 0, 0, TimeSpan.Zero)],
            Enumerable.Range(0, 4).Select(r => t.GetTimestamp(r)!.Value));
        var s = (StringArray)data.Column("s");
        Assert.Equal(["x", "", " y ", null], Enumerable.Range(0, 4).Select(r => s.GetString(r)));
    }

    [Theory]
    [InlineData(FieldType.Bool, "maybe", "'maybe' is not a valid bool")]
    [InlineData(FieldType.Int64, "abc", "'abc' is not a valid int64")]
    [InlineData(FieldType.Int64, "1.5", "'1.5' is not a valid int64")]
    [InlineData(FieldType.Int64, "99999999999999999999", "'99999999999999999999' is not a valid int64")]
    [InlineData(FieldType.Float64, "1,5", "'1,5' is not a valid float64")]
    [InlineData(FieldType.Float64, "1e400", "'1e400' is not a valid float64")]
    [InlineData(FieldType.Float64, "-1e400", "'-1e400' is not a valid float64")]
    [InlineData(FieldType.Decimal, "12a", "'12a' is not a valid decimal(28,9)")]
    [InlineData(FieldType.Date, "2023-02-29", "'2023-02-29' is not a valid date")]
    [InlineData(FieldType.Date, "31/01/2024", "'31/01/2024' is not a valid date")]
    [InlineData(FieldType.Timestamp, "2024-01-31T25:00", "'2024-01-31T25:00' is not a valid timestamp")]
    [InlineData(FieldType.Timestamp, "2024-01-31T10:00+5", "'2024-01-31T10:00+5' is not a valid timestamp")]
    public void A_value_that_does_not_parse_is_a_parse_dead_letter_with_the_original_bytes(FieldType type, string bad, string message)
    {
        string good = type switch { FieldType.Date => "2024-01-31", FieldType.Timestamp => "2024-01-31T10:00Z", _ => "1" };
        var input = Text(("v", [good, bad]), ("id", ["a", "b"]));
        var (output, letters) = Run(input, new FieldContract("v", type), new FieldContract("id", FieldType.String));
        var letter = Single(letters);
        Assert.Equal((DeadLetterReason.Parse, "v", "type", message), (letter.Reason, letter.Field, letter.Rule, letter.Message));
        Assert.Equal($"{bad},b", letter.Original());
        Assert.Equal(("in.csv", 3L), (letter.Origin.File, letter.Origin.Line));
        Assert.Equal("contract", letter.Stage);
        Assert.Equal("a", ((StringArray)output!.Data.Column("id")).GetString(0));
        Assert.Equal(2L, output.Origins[0].Line);
    }

    [Fact]
    public void A_decimal_with_more_places_than_its_scale_fails_rule_scale()
    {
        var (output, letters) = Run(Text(("price", ["1.25", "1.250", "1.255"])), new FieldContract("price", FieldType.Decimal) { Scale = 2 });
        var letter = Single(letters);
        Assert.Equal((DeadLetterReason.Parse, "price", "scale"), (letter.Reason, letter.Field, letter.Rule));
        Assert.Equal("'1.255' has more digits after the decimal point than the scale 2 allows", letter.Message);
        Assert.Equal([1.25m, 1.25m], ((Decimal128Array)output!.Data.Column(0)).ToList());
    }

    [Fact]
    public void Dates_and_timestamps_parse_with_a_format()
    {
        var input = Text(("d", ["2024/01/31", "2024-01-31"]), ("t", ["2024/01/31 13:45", "2024/01/31 13:45"]));
        var (output, letters) = Run(input,
            new FieldContract("d", FieldType.Date) { Format = "yyyy/MM/dd" },
            new FieldContract("t", FieldType.Timestamp) { Format = "yyyy/MM/dd HH:mm" });
        Assert.Equal("'2024-01-31' is not a valid date", Single(letters).Message);
        Assert.Equal(new DateOnly(2024, 1, 31), ((Date32Array)output!.Data.Column(0)).GetDateOnly(0));
        Assert.Equal(new DateTimeOffset(2024, 1, 31, 13, 45, 0, TimeSpan.Zero), ((TimestampArray)output.Data.Column(1)).GetTimestamp(0));
    }

    public static TheoryData<FieldContract, string, string, string> RuleFailures => new()
    {
        { new FieldContract("delay", FieldType.Int64) { Required = true }, "", "required", "delay is required but missing" },
        { new FieldContract("delay", FieldType.Int64) { Max = 3000 }, "5000", "max", "delay = 5000 is above the max 3000" },
        { new FieldContract("delay", FieldType.Int64) { Min = -120 }, "-121", "min", "delay = -121 is below the min -120" },
        { new FieldContract("ratio", FieldType.Float64) { Max = 1.0 }, "1.5", "max", "ratio = 1.5 is above the max 1" },
        { new FieldContract("ratio", FieldType.Float64) { Max = 1.0 }, "NaN", "max", "ratio = NaN is not a number, so not at or below the max 1" },
        { new FieldContract("ratio", FieldType.Float64) { Min = 0.0 }, "NaN", "min", "ratio = NaN is not a number, so not at or above the min 0" },
        { new FieldContract("ratio", FieldType.Float64) { Min = 0.0, Max = 1.0 }, "Infinity", "max", "ratio = Infinity is above the max 1" },
        { new FieldContract("ratio", FieldType.Float64) { Min = 0.0 }, "-Infinity", "min", "ratio = -Infinity is below the min 0" },
        { new FieldContract("price", FieldType.Decimal) { Scale = 2, Min = 0.01m }, "0.00", "min", "price = 0.00 is below the min 0.01" },
        { new FieldContract("day", FieldType.Date) { Min = new DateOnly(2020, 1, 1) }, "2019-12-31", "min", "day = 2019-12-31 is below the min 2020-01-01" },
        { new FieldContract("at", FieldType.Timestamp) { Max = new DateTime(2030, 1, 1) }, "2030-01-01T00:00:01Z", "max",
            "at = 2030-01-01T00:00:01Z is above the max 2030-01-01T00:00:00Z" },
        { new FieldContract("origin", FieldType.String) { Pattern = new Regex("^[A-Z]{3}$") }, "ab1", "pattern", "origin = 'ab1' does not match ^[A-Z]{3}$" },
        { new FieldContract("class", FieldType.String) { Enum = ["economy", "first"] }, "business", "enum", "class = 'business' is not one of: economy, first" },
        { new FieldContract("code", FieldType.Int64) { Enum = ["1", "2"] }, "3", "enum", "code = 3 is not one of: 1, 2" },
        { new FieldContract("ok", FieldType.Bool) { Enum = ["true"] }, "no", "enum", "ok = false is not one of: true" },
        { new FieldContract("name", FieldType.String) { MaxLength = 3 }, "Zoë!", "max_length", "name = 'Zoë!' is 4 characters long, above the max_length 3" },
    };

    [Theory]
    [MemberData(nameof(RuleFailures))]
    public void Each_rule_passes_good_values_and_dead_letters_bad_ones(FieldContract field, string bad, string rule, string message)
    {
        string good = field.Type switch
        {
            FieldType.Int64 => "1",
            FieldType.Float64 => "0.5",
            FieldType.Decimal => "0.01",
            FieldType.Date => "2020-01-01",
            FieldType.Timestamp => "2030-01-01T00:00:00Z",
            FieldType.Bool => "yes",
            _ => rule switch { "enum" => "first", "pattern" => "ABC", _ => "Zoé" },
        };
        var (output, letters) = Run(Text((field.Name, [good, bad, good])), field);
        var letter = Single(letters);
        Assert.Equal((DeadLetterReason.Contract, field.Name, rule, message), (letter.Reason, letter.Field, letter.Rule, letter.Message));
        Assert.Equal(bad, letter.Original());
        Assert.Equal(2, output!.Length);
        Assert.Equal([2L, 4L], [output.Origins[0].Line, output.Origins[1].Line]);
    }

    [Fact]
    public void The_first_failing_field_in_contract_order_decides_the_dead_letter()
    {
        var input = Text(("a", ["x", "1", "1"]), ("b", ["y", "500", "1"]), ("c", ["bad", "bad", "ok"]));
        var (output, letters) = Run(input,
            new FieldContract("a", FieldType.Int64),
            new FieldContract("b", FieldType.Int64) { Max = 100 },
            new FieldContract("c", FieldType.String) { Pattern = new Regex("^ok$") });
        Assert.Equal([("a", "type", "x,y,bad"), ("b", "max", "1,500,bad")],
            letters.Select(l => (l.Field!, l.Rule!, l.Original())).OrderBy(x => x.Item1));
        Assert.Equal(1, output!.Length);
        Assert.Equal(1L, ((Int64Array)output.Data.Column("a")).GetValue(0));
    }

    [Fact]
    public void Unknown_fields_are_rejected_dropped_or_kept()
    {
        Batch Input() => Text(("id", ["1", "2", "3"]), ("extra", ["", null, "x"]));
        var id = new FieldContract("id", FieldType.Int64);

        var (rejected, letters) = Run(Input(), UnknownFields.Reject, id);
        var letter = Single(letters);
        Assert.Equal((DeadLetterReason.Contract, "extra", "unknown_fields", "3,x"), (letter.Reason, letter.Field, letter.Rule, letter.Original()));
        Assert.Equal(["id"], rejected!.Schema.FieldsList.Select(f => f.Name));
        Assert.Equal([1L, 2L], ((Int64Array)rejected.Data.Column(0)).ToList());

        var (dropped, none) = Run(Input(), UnknownFields.Drop, id);
        Assert.Empty(none);
        Assert.Equal(["id"], dropped!.Schema.FieldsList.Select(f => f.Name));
        Assert.Equal(3, dropped.Length);

        var input = Input();
        var (kept, _) = Run(input, UnknownFields.Keep, id);
        Assert.Equal(["id", "extra"], kept!.Schema.FieldsList.Select(f => f.Name));
        Assert.Same(input.Data.Column(1), kept.Data.Column(1));
    }

    [Fact]
    public void Output_has_the_contract_fields_in_contract_order_then_kept_columns()
    {
        var input = Text(("z", ["1"]), ("a", ["2"]), ("m", ["3"]));
        var (output, _) = Run(input, UnknownFields.Keep, new FieldContract("m", FieldType.Int64), new FieldContract("z", FieldType.Decimal) { Scale = 3 });
        Assert.Equal(["m:int64", "z:decimal128", "a:utf8"], output!.Schema.FieldsList.Select(f => $"{f.Name}:{f.DataType.Name}"));
        Assert.Equal(3, ((Decimal128Type)output.Schema.GetFieldByName("z").DataType).Scale);
    }

    [Fact]
    public void Typed_columns_of_the_right_type_pass_through_without_copying()
    {
        var ints = new Int64Array.Builder().Append(1).AppendNull().Append(3).Build();
        var doubles = new DoubleArray.Builder().Append(1.5).Append(2).Append(3).Build();
        var dates = new Date32Array.Builder().Append(new DateOnly(2024, 1, 1)).Append(new DateOnly(2024, 1, 2)).Append(new DateOnly(2024, 1, 3)).Build();
        var input = Typed(("i", ints), ("f", doubles), ("d", dates));
        var (output, letters) = Run(input, new FieldContract("i", FieldType.Int64), new FieldContract("f", FieldType.Float64), new FieldContract("d", FieldType.Date));
        Assert.Empty(letters);
        Assert.Same(ints, output!.Data.Column(0));
        Assert.Same(doubles, output.Data.Column(1));
        Assert.Same(dates, output.Data.Column(2));
    }

    [Fact]
    public void Typed_columns_convert_where_no_value_is_lost()
    {
        var int32 = new Int32Array.Builder().Append(1).Append(2).Append(3).Build();
        var doubles = new DoubleArray.Builder().Append(4).Append(4.5).Append(-6).Build();
        var dates = new Date32Array.Builder().Append(new DateOnly(2024, 1, 1)).Append(new DateOnly(2024, 1, 2)).Append(new DateOnly(2024, 1, 3)).Build();
        var millis = new TimestampArray.Builder(TimeUnit.Millisecond, "UTC")
            .Append(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero)).Append(new DateTimeOffset(2024, 1, 2, 6, 0, 0, TimeSpan.Zero))
            .Append(new DateTimeOffset(2024, 1, 3, 0, 0, 0, 5, TimeSpan.Zero)).Build();
        var input = Typed(("a", int32), ("b", doubles), ("c", dates), ("d", millis), ("e", int32), ("f", doubles));
        var (output, letters) = Run(input,
            new FieldContract("a", FieldType.Int64), new FieldContract("b", FieldType.Int64),
            new FieldContract("c", FieldType.Timestamp), new FieldContract("d", FieldType.Date),
            new FieldContract("e", FieldType.Decimal) { Scale = 1 }, new FieldContract("f", FieldType.String));
        Assert.Equal([("b", "type", "4.5 (double) is not a valid int64"), ("d", "type", "2024-01-03T00:00:00.005Z (timestamp) is not a valid date")],
            letters.Select(l => (l.Field!, l.Rule!, l.Message)).OrderBy(x => x.Item1));
        Assert.Equal(1, output!.Length);
        var data = output.Data;
        Assert.Equal(1L, ((Int64Array)data.Column("a")).GetValue(0));
        Assert.Equal(4L, ((Int64Array)data.Column("b")).GetValue(0));
        Assert.Equal(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), ((TimestampArray)data.Column("c")).GetTimestamp(0));
        Assert.Equal(new DateOnly(2024, 1, 1), ((Date32Array)data.Column("d")).GetDateOnly(0));
        Assert.Equal(1.0m, ((Decimal128Array)data.Column("e")).GetValue(0));
        Assert.Equal("4", ((StringArray)data.Column("f")).GetString(0));
    }

    [Fact]
    public void A_timestamp_in_another_zone_or_unit_becomes_microseconds_utc()
    {
        var naive = new TimestampArray.Builder(new TimestampType(TimeUnit.Microsecond, (string?)null)).Append(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero)).Build();
        var seconds = new TimestampArray.Builder(TimeUnit.Second, "UTC").Append(new DateTimeOffset(2024, 1, 1, 0, 0, 7, TimeSpan.Zero)).Build();
        var (output, _) = Run(Typed(("a", naive), ("b", seconds)), new FieldContract("a", FieldType.Timestamp), new FieldContract("b", FieldType.Timestamp));
        Assert.Equal(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), ((TimestampArray)output!.Data.Column(0)).GetTimestamp(0));
        Assert.Equal(new DateTimeOffset(2024, 1, 1, 0, 0, 7, TimeSpan.Zero), ((TimestampArray)output.Data.Column(1)).GetTimestamp(0));
        Assert.All(output.Schema.FieldsList, f => Assert.Equal("UTC", ((TimestampType)f.DataType).Timezone));
    }

    [Fact]
    public void A_missing_required_column_fails_the_build_and_a_missing_optional_one_is_null()
    {
        var input = Text(("origin", ["AMS", "JFK"]));
        var e = Assert.Throws<PipelineException>(() => new ContractOptions { Fields = [new FieldContract("delay", FieldType.Int64) { Required = true }] }
            .CreateTransform(input.Schema, Build));
        Assert.Contains("the input has no column 'delay'; its columns are: origin", e.Message);

        var (output, letters) = Run(input, new FieldContract("origin", FieldType.String), new FieldContract("delay", FieldType.Int64));
        Assert.Empty(letters);
        Assert.Equal(2, output!.Data.Column("delay").NullCount);
    }

    [Fact]
    public void A_column_that_cannot_become_the_field_type_fails_the_build()
    {
        var input = Typed(("flag", new BooleanArray.Builder().Append(true).Build()));
        var e = Assert.Throws<PipelineException>(() => new ContractOptions { Fields = [new FieldContract("flag", FieldType.Date)] }
            .CreateTransform(input.Schema, Build));
        Assert.Matches("contract field 'flag' is date but its input column is bool\\w*, which cannot be read as date; declare the field as bool", e.Message);
    }

    [Fact]
    public void A_batch_where_every_row_fails_gives_nothing()
    {
        var (output, letters) = Run(Text(("n", ["a", "b"])), new FieldContract("n", FieldType.Int64));
        Assert.Null(output);
        Assert.Equal(2, letters.Count);
    }

    [Fact]
    public void Rows_out_plus_dead_letters_equal_rows_in_on_a_mixed_batch()
    {
        var values = Enumerable.Range(0, 1000).Select(i => i % 7 == 0 ? "bad" : i % 11 == 0 ? "99999" : i.ToString()).ToArray();
        var (output, letters) = Run(Text(("n", values), ("s", values.Select(v => (string?)v).ToArray())),
            UnknownFields.Keep, new FieldContract("n", FieldType.Int64) { Max = 5000 });
        int bad = values.Count(v => v is "bad" or "99999");
        Assert.Equal(bad, letters.Count);
        Assert.Equal(1000 - bad, output!.Length);
        var n = (Int64Array)output.Data.Column("n");
        var s = (StringArray)output.Data.Column("s");
        for (int row = 0; row < output.Length; row++)
        {
            Assert.Equal(n.GetValue(row)!.Value.ToString(), s.GetString(row));
            Assert.Equal(n.GetValue(row)!.Value + 2, output.Origins[row].Line);
        }
    }

    private static readonly IEqualityComparer<IArrowType> ArrowTypeComparer =
        EqualityComparer<IArrowType>.Create((a, b) => a is Decimal128Type x && b is Decimal128Type y && x.Precision == y.Precision && x.Scale == y.Scale);
}
