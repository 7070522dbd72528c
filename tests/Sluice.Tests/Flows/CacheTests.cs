using Sluice.Flows;

namespace Sluice.Tests.Flows;

public sealed class CacheTests : FlowTest
{
    private FlowDefinition Counted(Dictionary<string, int> calls, TimeSpan? expire = null) =>
        Flow().Parameter("region", "eu")
            .Task("sum", t => t.Run(Counting(calls, "sum")).Cache(expire, "in/*.csv"))
            .Task("report", t => t.Run(Counting(calls, "report")).DependsOn("sum"))
            .Build();

    [Fact]
    public async Task A_second_run_with_the_same_inputs_and_parameters_takes_the_cached_result_and_its_dependents_still_run()
    {
        Dir.Write("in/a.csv", "x\n1\n");
        var calls = new Dictionary<string, int>();

        var first = await RunAsync(Counted(calls));
        var second = await RunAsync(Counted(calls));

        Assert.Equal((TaskState.Completed, "1"), (Task(first, "sum").State, Task(first, "sum").Result));
        Assert.Equal((TaskState.Cached, "1"), (Task(second, "sum").State, Task(second, "sum").Result));
        Assert.Equal(Task(first, "sum").CacheKey, Task(second, "sum").CacheKey);
        Assert.Equal(1, calls["sum"]);
        Assert.Equal(2, calls["report"]); // not cached: it has no cache setting
        Assert.Equal(RunState.Succeeded, second.State);
    }

    [Fact]
    public async Task Changing_an_input_file_or_a_parameter_misses_and_going_back_hits_again()
    {
        Dir.Write("in/a.csv", "x\n1\n");
        var calls = new Dictionary<string, int>();
        async Task<TaskState> Sum(string region = "eu") =>
            Task(await RunAsync(Counted(calls), new FlowRunRequest { Parameters = new Dictionary<string, string> { ["region"] = region } }), "sum").State;

        Assert.Equal(TaskState.Completed, await Sum());
        Dir.Write("in/a.csv", "x\n2\n"); // same length, other content
        Assert.Equal(TaskState.Completed, await Sum());
        Dir.Write("in/b.csv", "x\n3\n"); // one more input file
        Assert.Equal(TaskState.Completed, await Sum());
        Assert.Equal(TaskState.Completed, await Sum("us"));
        Assert.Equal(TaskState.Cached, await Sum("us"));
        Assert.Equal(TaskState.Cached, await Sum("eu"));
        File.Delete(Dir.File("in/b.csv"));
        Dir.Write("in/a.csv", "x\n1\n");
        Assert.Equal(TaskState.Cached, await Sum()); // the first run's inputs again: its entry still holds

        Assert.Equal(4, calls["sum"]);
    }

    [Fact]
    public async Task A_cached_result_past_its_expiry_is_computed_again()
    {
        Dir.Write("in/a.csv", "x\n1\n");
        var calls = new Dictionary<string, int>();

        await RunAsync(Counted(calls, TimeSpan.FromMilliseconds(300)));
        var soon = await RunAsync(Counted(calls, TimeSpan.FromMilliseconds(300)));
        await System.Threading.Tasks.Task.Delay(500);
        var later = await RunAsync(Counted(calls, TimeSpan.FromMilliseconds(300)));

        Assert.Equal(TaskState.Cached, Task(soon, "sum").State);
        Assert.Equal((TaskState.Completed, "2"), (Task(later, "sum").State, Task(later, "sum").Result));
    }

    [Fact]
    public async Task A_failed_task_leaves_nothing_in_the_cache()
    {
        Dir.Write("in/a.csv", "x\n1\n");
        var calls = new Dictionary<string, int>();
        FlowDefinition Failing() => Flow().Task("sum", t => t.Run(Counting(calls, "sum", failOn: call => call == 1)).Cache(null, "in/*.csv")).Build();

        var failed = await RunAsync(Failing());
        var next = await RunAsync(Failing());

        Assert.Equal(TaskState.Failed, Task(failed, "sum").State);
        Assert.Equal((TaskState.Completed, "2"), (Task(next, "sum").State, Task(next, "sum").Result));
    }

    [Fact]
    public async Task A_command_task_is_cached_by_its_arguments_after_references_are_filled_in()
    {
        var flow = Flow().Parameter("n", "1")
            .Task("count", t => t.Command("bash", "-c", "echo run >> runs.txt; echo $1", "_", "${params.n}").Cache())
            .Build();
        FlowRunRequest N(string n) => new() { Parameters = new Dictionary<string, string> { ["n"] = n } };

        await RunAsync(flow, N("1"));
        await RunAsync(flow, N("1"));
        await RunAsync(flow, N("2"));

        Assert.Equal(2, File.ReadAllLines(Dir.File("runs.txt")).Length);
    }
}
