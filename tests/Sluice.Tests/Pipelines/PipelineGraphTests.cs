using Sluice.Pipelines;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Pipelines;

public class PipelineGraphTests
{
    private static StageDefinition Source(string name) => new(name, new MemorySourceOptions(1), []);
    private static StageDefinition Sink(string name, params string[] from) => new(name, new MemorySinkOptions(), from);
    private static StageDefinition Step(string name, params string[] from) => new(name, new ModuloTransformOptions(2, 3), from);

    [Fact]
    public void Orders_stages_after_their_inputs()
    {
        var order = PipelineGraph.Order(new PipelineDefinition("p", [Sink("out", "b"), Step("b", "a"), Source("a")]));

        Assert.Equal(["a", "b", "out"], order.Select(s => s.Name));
    }

    [Fact]
    public void Reports_every_problem_at_once()
    {
        var e = Assert.Throws<PipelineException>(() => PipelineGraph.Order(new PipelineDefinition("p", [
            Source("a"), Source("a"), Step("dangling", "a"), Sink("out", "missing"), Step("afterSink", "out"), Sink("end", "afterSink"),
        ])));

        var messages = e.Diagnostics.Select(d => d.Message).ToList();
        Assert.Contains(messages, m => m.Contains("two stages are named 'a'"));
        Assert.Contains(messages, m => m.Contains("the output of stage 'dangling' goes nowhere"));
        Assert.Contains(messages, m => m.Contains("reads from 'missing', which does not exist"));
        Assert.Contains(messages, m => m.Contains("reads from sink 'out'"));
    }

    [Fact]
    public void Rejects_cycles_and_missing_sources_or_sinks()
    {
        var cycle = Assert.Throws<PipelineException>(() => PipelineGraph.Order(new PipelineDefinition("p", [
            Source("s"), Step("x", "s", "y"), Step("y", "x"), Sink("out", "y"),
        ])));
        Assert.Contains("cycle: x → y → x", cycle.Message);

        var empty = Assert.Throws<PipelineException>(() => PipelineGraph.Order(new PipelineDefinition("p", [Step("x", "x")])));
        Assert.Contains(empty.Diagnostics, d => d.Message.Contains("no source"));
        Assert.Contains(empty.Diagnostics, d => d.Message.Contains("no sink"));
    }
}
