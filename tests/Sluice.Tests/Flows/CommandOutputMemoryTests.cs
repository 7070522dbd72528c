using Sluice.Flows;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Flows;

/// <summary>How much a command task's output costs, measured as the process's allocations: run alone (see
/// <see cref="MeasuresTheProcess"/>), since any test running beside it would count as its own.</summary>
[Collection(MeasuresTheProcess.Name)]
public sealed class CommandOutputMemoryTests : FlowTest
{
    /// <summary>A line is cut at the output limit as it is read: 200 MB without a line break once meant a 400 MB string.</summary>
    [Fact]
    public async Task A_line_without_end_is_cut_at_the_limit_while_it_is_read()
    {
        var flow = Flow().Task("flood", t => t.Command("bash", "-c", "head -c 200000000 /dev/zero | tr '\\0' x; echo; echo done")).Build();
        flow = flow with { Tasks = [flow.Tasks[0] with { Action = ((CommandTaskAction)flow.Tasks[0].Action) with { OutputLimit = 1000 } }] };
        long before = GC.GetTotalAllocatedBytes(precise: true);

        var result = await RunAsync(flow);

        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        var flood = Task(result, "flood");
        Assert.Equal(TaskState.Completed, flood.State);
        var lines = System.Text.Json.Nodes.JsonNode.Parse(flood.Result!)!["lines"]!.AsArray().Select(l => (string)l!).ToList();
        Assert.Equal(new string('x', 1000) + "… (199999000 more characters cut)", lines[0]);
        Assert.Equal("done", lines[1]);
        Assert.True(allocated < 300_000_000, $"reading 200 MB of output allocated {allocated:N0} bytes");
    }
}
