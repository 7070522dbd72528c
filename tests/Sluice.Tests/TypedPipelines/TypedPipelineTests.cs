using Sluice.Tests.TestSupport;
using System.Text;
using Sluice.DeadLetters;
using Sluice.Pipelines;
using Sluice.Testing;

namespace Sluice.Tests.TypedPipelines;

/// <summary>Typed pipelines over in-memory records, through <see cref="PipelineTest"/>: lambdas, dead letters,
/// contract rules and the values of every supported type.</summary>
public sealed class TypedPipelineTests
{
    public sealed record Order(long Id, string Customer, double Amount, int? Quantity);

    public sealed record Invoice(long OrderId, string Line);

    private static readonly Order[] Orders =
        Enumerable.Range(1, 100).Select(i => new Order(i, $"c{i % 7}", i * 1.5, i % 10 == 0 ? null : i)).ToArray();

    [Fact]
    public async Task Consecutive_lambdas_are_one_stage_and_filtered_records_are_counted()
    {
        var output = Memory.Collect<Invoice>();
        var pipeline = Pipeline.Create("orders").From(Memory.Records(Orders, batchSize: 30))
            .Where(o => o.Amount > 30)
            .Select(o => o.Quantity is null ? null : new Invoice(o.Id, $"{o.Customer} x{o.Quantity}"))
            .Where(i => i.OrderId % 2 == 0)
            .To(output);

        var result = await PipelineTest.RunAsync(pipeline);

        Assert.Equal(["source", "contract", "transform", "sink"], pipeline.Definition.Stages.Select(s => s.Name));
        var expected = Orders.Where(o => o.Amount > 30 && o.Quantity is not null && o.Id % 2 == 0)
            .Select(o => new Invoice(o.Id, $"{o.Customer} x{o.Quantity}")).ToList();
        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(expected, output.Items);
        Assert.Equal((100, expected.Count, 100 - expected.Count, 0), (result.RecordsRead, result.RecordsWritten, result.Filtered, result.DeadLettered));
    }

    [Fact]
    public async Task A_lambda_that_throws_dead_letters_that_record_with_its_exception_and_bytes_and_the_others_go_on()
    {
        var output = Memory.Collect<Order>();
        var pipeline = Pipeline.Create("orders").From(Memory.Records(Orders))
            .Select(o => o.Id == 42 ? throw new InvalidOperationException("no order 42\nhere") : o)
            .To(output);

        var result = await PipelineTest.RunAsync(pipeline);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(Orders.Where(o => o.Id != 42), output.Items);
        var letter = Assert.Single(result.DeadLetters);
        Assert.Equal((DeadLetterReason.Transform, "exception", "transform", 42L), (letter.Reason, letter.Rule, letter.Stage, letter.Line));
        Assert.Equal("InvalidOperationException: no order 42 here", letter.Message);
        Assert.Equal("{\"Id\":42,\"Customer\":\"c0\",\"Amount\":63,\"Quantity\":42}", Encoding.UTF8.GetString(letter.Original));
        Assert.Equal((100, 99, 0, 1), (result.RecordsRead, result.RecordsWritten, result.Filtered, result.DeadLettered));
    }

    [Fact]
    public async Task Validate_adds_contract_rules_whose_failures_are_contract_dead_letters()
    {
        var output = Memory.Collect<Order>();
        var pipeline = Pipeline.Create("orders").From(Memory.Records(Orders))
            .Validate(c => c.Field(o => o.Amount, max: 100.0).Field(o => o.Customer, pattern: "^c[0-5]$"))
            .To(output);

        var result = await PipelineTest.RunAsync(pipeline);

        var expected = Orders.Where(o => o.Amount <= 100 && o.Customer is not ("c6")).ToList();
        Assert.Equal(expected, output.Items);
        Assert.Equal(100 - expected.Count, result.DeadLettered);
        Assert.All(result.DeadLetters, l => Assert.Equal(DeadLetterReason.Contract, l.Reason));
        Assert.Equal(["max", "pattern"], result.DeadLetters.Select(l => l.Rule).Distinct().Order());
    }

    public sealed record AllTypes(long L, int I, double D, decimal M, bool B, string S, DateTime T, DateTimeOffset O, DateOnly Day,
        long? NL, int? NI, double? ND, decimal? NM, bool? NB, string? NS, DateTime? NT, DateTimeOffset? NO, DateOnly? NDay);

    [Fact]
    public async Task Every_supported_type_goes_through_two_transforms_unchanged_and_nulls_stay_null()
    {
        var time = new DateTime(2026, 12, 4, 17, 30, 15, 123, DateTimeKind.Utc).AddTicks(4560);
        var records = new[]
        {
            new AllTypes(long.MinValue, int.MaxValue, -0.5, 123.456789m, true, "ünïcødé", time, new DateTimeOffset(time), new DateOnly(1969, 7, 20),
                5, -3, 2.25, -1.5m, false, "x", time, new DateTimeOffset(time), new DateOnly(2030, 1, 1)),
            new AllTypes(0, 0, 0, 0, false, "", DateTime.UnixEpoch, DateTimeOffset.UnixEpoch, DateOnly.MinValue,
                null, null, null, null, null, null, null, null, null),
        };
        var output = Memory.Collect<AllTypes>();
        var pipeline = Pipeline.Create("types").From(Memory.Records(records))
            .Select(r => r)
            .Then<AllTypes>(Typed.Transform<AllTypes, AllTypes>(r => r with { }))
            .To(output);

        var result = await PipelineTest.RunAsync(pipeline);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(records, output.Items);
    }

    public sealed class Settable
    {
        public long Id { get; set; }

        [Column("full_name")]
        public string? FullName { get; set; }

        public long Ignored => Id * 2; // not settable: not a column
    }

    [Fact]
    public void Columns_are_snake_case_or_named_by_the_attribute_and_required_follows_nullability()
    {
        var pipeline = Pipeline.Create("x").From(Memory.Records<Settable>([])).To(Memory.Collect<Settable>());
        var contract = (ContractOptions)pipeline.Definition.Stages[1].Options;
        Assert.Equal(["id:True", "full_name:False"], contract.Fields.Select(f => $"{f.Name}:{f.Required}"));

        var orders = (ContractOptions)Pipeline.Create("y").From(Memory.Records(Orders)).To(Memory.Collect<Order>()).Definition.Stages[1].Options;
        Assert.Equal(["id:Int64:True", "customer:String:True", "amount:Float64:True", "quantity:Int64:False"],
            orders.Fields.Select(f => $"{f.Name}:{f.Type}:{f.Required}"));
    }

    public sealed record Narrow(long Id, string Customer, long Amount);

    public sealed record Wide(long Id, string Customer, double Amount, string Missing);

    [Fact]
    public async Task A_property_whose_column_is_missing_or_of_another_type_fails_the_build_naming_both()
    {
        var wrongType = Pipeline.Create("t").From(Memory.Records(Orders))
            .Then<Narrow>(Typed.Transform<Narrow, Narrow>(n => n)).To(Memory.Collect<Narrow>());
        var missing = Pipeline.Create("m").From(Memory.Records(Orders))
            .Then<Wide>(Typed.Transform<Wide, Wide>(w => w)).To(Memory.Collect<Wide>());

        var typeError = await Assert.ThrowsAsync<PipelineException>(() => PipelineTest.RunAsync(wrongType));
        var missingError = await Assert.ThrowsAsync<PipelineException>(() => PipelineTest.RunAsync(missing));

        Assert.Contains("Narrow.Amount (Int64) cannot hold column 'amount' of type double", typeError.Message);
        Assert.Contains("Wide.Missing (String) reads column 'missing', which the input does not have; its columns are: id, customer, amount, quantity",
            missingError.Message);
    }

    public sealed record Big(long Value);

    public sealed record Small(int Value);

    [Fact]
    public async Task A_value_too_large_for_an_int_property_dead_letters_its_record()
    {
        var output = Memory.Collect<Small>();
        var pipeline = Pipeline.Create("ints").From(Memory.Records<Big>([new(1), new(long.MaxValue), new(3)]))
            .Then<Small>(Typed.Transform<Small, Small>(s => s)).To(output);

        var result = await PipelineTest.RunAsync(pipeline);

        Assert.Equal([1, 3], output.Items.Select(s => s.Value));
        Assert.Equal("OverflowException: Arithmetic operation resulted in an overflow.", Assert.Single(result.DeadLetters).Message);
    }
}
