using System.Text.Json;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.TypedPipelines;

/// <summary>A typed transform (a C# lambda over record types) registered by name and used from a pipeline file, as
/// docs/extending.md shows: its options are checked like a built-in's, its lambda dead-letters what it throws on.</summary>
public sealed class NamedTypedTransformTests : StateStoreTest
{
    public sealed record Order(long Id, long Amount);

    public sealed record TieredOrder(long Id, long Amount, string Tier);

    public sealed class TierOptions
    {
        [System.ComponentModel.Description("Amount from which an order is gold.")]
        public required long Threshold { get; set; }
    }

    private static ComponentCatalog Catalog() => new ComponentCatalog().AddTransform<TierOptions>("add_tier",
        "Adds the order's tier.",
        o => Typed.Transform<Order, TieredOrder>(order => order.Amount < 0
            ? throw new ArgumentOutOfRangeException(nameof(order), "negative amount")
            : new TieredOrder(order.Id, order.Amount, order.Amount >= o.Threshold ? "gold" : "basic")));

    private string Pipeline(string tierOptions)
    {
        Dir.Write("in/orders.csv", "id,amount\n1,50\n2,150\n3,-5\n4,100\n");
        return Dir.Write("p.yaml", $$"""
            name: tiers
            source: { type: csv, path: in/*.csv }
            contract:
              fields:
                id: { type: int64, required: true }
                amount: { type: int64, required: true }
            transforms:
              - add_tier: {{tierOptions}}
            sink: { type: jsonl, path: out }
            """);
    }

    [Fact]
    public async Task A_typed_transform_named_in_yaml_runs_and_dead_letters_what_its_lambda_throws_on()
    {
        var pipeline = PipelineFile.Load(Pipeline("{ threshold: 100 }"), Catalog());

        var outcome = await new PipelineRunner(Store).RunAsync(pipeline);

        Assert.Equal(RunState.Succeeded, outcome.Run.State);
        var rows = Directory.GetFiles(Dir.File("out"), "*.jsonl").SelectMany(File.ReadAllLines)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .ToDictionary(r => r.GetProperty("id").GetInt64(), r => r.GetProperty("tier").GetString());
        Assert.Equal(new Dictionary<long, string?> { [1] = "basic", [2] = "gold", [4] = "gold" }, rows);
        var letter = Assert.Single(await Store.ListDeadLettersAsync(new DeadLetterQuery()));
        Assert.Equal(DeadLetterReason.Transform, letter.Reason);
        Assert.Contains("negative amount", letter.Message);
    }

    [Fact]
    public void A_typo_in_its_options_is_a_positioned_error()
    {
        var e = Assert.Throws<PipelineException>(() => PipelineFile.Load(Pipeline("{ treshold: 100 }"), Catalog()));
        Assert.Contains(e.Diagnostics, d => d.Location is { Line: 8 } && d.Message.Contains("unknown key 'treshold'")
            && d.Message.Contains("did you mean 'threshold'"));
    }
}
