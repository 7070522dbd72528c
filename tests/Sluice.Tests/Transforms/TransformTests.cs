using System.Text;
using Apache.Arrow;
using Apache.Arrow.Types;
using CsCheck;
using Sluice.DeadLetters;
using Sluice.Pipelines;
using Sluice.Records;
using Sluice.Tests.TestSupport;
using Sluice.Transforms.Dedupe;
using Sluice.Transforms.Derive;
using Sluice.Transforms.Filter;

namespace Sluice.Tests.Transforms;

public class TransformTests
{
    private static readonly BuildContext Build = new(Path.GetTempPath(), "r");

    private static readonly Batch Flights = Batches.Of(
        ("id", [1, 2, 3, 4, 5]),
        ("delay", [10, null, 30, 0, 99]),
        ("origin", ["SFO", "LAX", "SFO", "JFK", null]));

    [Fact]
    public void Filter_keeps_true_rows_and_counts_false_and_null_as_filtered()
    {
        var letters = new CollectingDeadLetters();
        var context = letters.Context();
        var filter = new FilterOptions("delay > 5").CreateTransform(Flights.Schema, Build);

        var output = filter.Apply(Flights, context)!;

        Assert.Equal([1L, 3L, 5L], Batches.Column(output, "id"));
        Assert.Equal(2, context.Counters.Filtered);
        Assert.Equal("test.csv", output.Origins[1].File);
        Assert.Equal(4, output.Origins[1].Line); // row id 3 is the third data line
    }

    [Fact]
    public void Filter_dead_letters_rows_the_expression_fails_on()
    {
        var letters = new CollectingDeadLetters();
        var context = letters.Context("filter");
        var filter = new FilterOptions("100 / delay > 5").CreateTransform(Flights.Schema, Build);

        var output = filter.Apply(Flights, context)!;

        var letter = Assert.Single(letters.Letters);
        Assert.Equal(DeadLetterReason.Transform, letter.Reason);
        Assert.Equal("4,0,JFK", Encoding.UTF8.GetString(letter.Origin.Original.Span));
        Assert.Equal([1L], Batches.Column(output, "id")); // 100/10=10 > 5; 100/30=3, 100/99=1; null delay filtered
        Assert.Equal(5, output.Length + context.Counters.Filtered + context.Counters.DeadLettered);
    }

    [Fact]
    public void Filter_needs_a_boolean()
    {
        var e = Assert.Throws<PipelineException>(() => new FilterOptions("delay") { Location = new("p.yaml", 3, 13) }.CreateTransform(Flights.Schema, Build));

        Assert.Contains("needs a boolean", e.Message);
        Assert.Equal(new SourceLocation("p.yaml", 3, 13), e.Diagnostics[0].Location);
    }

    [Fact]
    public void Derive_adds_columns_in_order_and_replaces_existing_ones()
    {
        var derive = new DeriveOptions([
            new("late", "delay > 15"),
            new("origin", "lower(origin)"),
            new("late_origin", "CASE WHEN late THEN origin ELSE 'on time' END"),
        ]).CreateTransform(Flights.Schema, Build);

        var output = derive.Apply(Flights, new CollectingDeadLetters().Context())!;

        Assert.Equal(["id", "delay", "origin", "late", "late_origin"], output.Schema.FieldsList.Select(f => f.Name));
        Assert.Equal([false, null, true, false, true], Batches.Column(output, "late"));
        Assert.Equal(["sfo", "lax", "sfo", "jfk", null], Batches.Column(output, "origin"));
        Assert.Equal(["on time", "on time", "sfo", "on time", null], Batches.Column(output, "late_origin"));
    }

    [Fact]
    public void Derive_dead_letters_failing_rows_with_the_column_name()
    {
        var letters = new CollectingDeadLetters();
        var derive = new DeriveOptions([new("ratio", "100 / delay")]).CreateTransform(Flights.Schema, Build);

        var output = derive.Apply(Flights, letters.Context())!;

        var letter = Assert.Single(letters.Letters);
        Assert.Equal(("ratio", "expression"), (letter.Field, letter.Rule));
        Assert.Equal([1L, 2L, 3L, 5L], Batches.Column(output, "id"));
        Assert.Equal([10L, null, 3L, 1L], Batches.Column(output, "ratio"));
    }

    [Fact]
    public void Derive_reports_every_bad_expression_with_its_location()
    {
        var e = Assert.Throws<PipelineException>(() => new DeriveOptions([
            new("a", "nope + 1") { Location = new("p.yaml", 5, 10) },
            new("b", "delay || 'x' + 1") { Location = new("p.yaml", 6, 10) },
        ]).CreateTransform(Flights.Schema, Build));

        Assert.Equal(2, e.Diagnostics.Count);
        Assert.Equal(5, e.Diagnostics[0].Location!.Line);
        Assert.Contains("unknown column 'nope'", e.Diagnostics[0].Message);
        Assert.Equal(6, e.Diagnostics[1].Location!.Line);
    }

    [Fact]
    public void Select_and_rename_shape_the_columns()
    {
        var select = new SelectOptions(["origin", "id"]).CreateTransform(Flights.Schema, Build);
        var rename = new RenameOptions(new Dictionary<string, string> { ["origin"] = "from" }).CreateTransform(select.OutputSchema, Build);

        var output = rename.Apply(select.Apply(Flights, new CollectingDeadLetters().Context())!, new CollectingDeadLetters().Context())!;

        Assert.Equal(["from", "id"], output.Schema.FieldsList.Select(f => f.Name));
        Assert.Equal(["SFO", "LAX", "SFO", "JFK", null], Batches.Column(output, "from"));
    }

    [Fact]
    public void Select_and_rename_reject_unknown_or_clashing_columns()
    {
        var unknown = Assert.Throws<PipelineException>(() => new SelectOptions(["orign"]).CreateTransform(Flights.Schema, Build));
        Assert.Contains("unknown column 'orign' (did you mean 'origin'?)", unknown.Message);

        var clash = Assert.Throws<PipelineException>(() => new RenameOptions(new Dictionary<string, string> { ["origin"] = "id" }).CreateTransform(Flights.Schema, Build));
        Assert.Contains("two columns named 'id'", clash.Message);
    }

    [Fact]
    public void Dedupe_passes_the_first_of_each_key_across_batches()
    {
        var letters = new CollectingDeadLetters();
        var context = letters.Context();
        var dedupe = new DedupeOptions(["origin"]).CreateTransform(Flights.Schema, Build);

        var first = dedupe.Apply(Flights, context)!;
        var second = dedupe.Apply(Flights, context);

        Assert.Equal([1L, 2L, 4L, 5L], Batches.Column(first, "id")); // second SFO dropped; null is a key of its own
        Assert.Null(second);
        Assert.Equal(6, context.Counters.Filtered);
    }

    [Fact]
    public void Dedupe_keys_do_not_collide_across_columns()
    {
        var batch = Batches.Of(("a", ["x", "x,"]), ("b", [",y", "y"]));
        var dedupe = new DedupeOptions(["a", "b"]).CreateTransform(batch.Schema, Build);

        Assert.Equal(2, dedupe.Apply(batch, new CollectingDeadLetters().Context())!.Length);
    }
}

public class DedupePropertyTests
{
    /// <summary>Whatever the keys (nulls, empty strings, separators, long text), dedupe keeps exactly the first row
    /// of each distinct key, as LINQ's DistinctBy does.</summary>
    [Fact]
    public void Dedupe_keeps_the_first_row_of_each_distinct_key()
    {
        var text = Gen.OneOf(Gen.Const((string?)null), Gen.Const<string?>(""), Gen.Const<string?>("a:1"),
            Gen.String[Gen.Char["ab:\u0001\0é"], 0, 300].Select(s => (string?)s));
        var number = Gen.OneOf(Gen.Const((long?)null), Gen.Long[-3, 3].Select(n => (long?)n));
        Gen.Select(text, number).Array[1, 60].Sample(rows =>
        {
            var ids = new Int64Array.Builder();
            var strings = new StringArray.Builder();
            var numbers = new Int64Array.Builder();
            for (int i = 0; i < rows.Length; i++)
            {
                ids.Append(i);
                if (rows[i].Item1 is { } t) strings.Append(t); else strings.AppendNull();
                if (rows[i].Item2 is { } n) numbers.Append(n); else numbers.AppendNull();
            }
            var schema = new Schema([new Field("id", Int64Type.Default, true), new Field("s", StringType.Default, true), new Field("n", Int64Type.Default, true)], null);
            var batch = new Batch(new RecordBatch(schema, [ids.Build(), strings.Build(), numbers.Build()], rows.Length),
                Batches.Of(("id", rows.Select(_ => (object?)0L).ToArray())).Origins);
            var dedupe = new DedupeOptions(["s", "n"]).CreateTransform(schema, new BuildContext(Path.GetTempPath(), "r"));

            var output = dedupe.Apply(batch, new CollectingDeadLetters().Context())!;

            var expected = rows.Select((r, i) => (Key: r, Id: (long)i)).DistinctBy(r => r.Key).Select(r => (object?)r.Id);
            Assert.Equal(expected, Batches.Column(output, "id"));
        });
    }
}
