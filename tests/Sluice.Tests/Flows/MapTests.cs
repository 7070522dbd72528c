using System.Text.Json.Nodes;
using Sluice.Flows;

namespace Sluice.Tests.Flows;

public sealed class MapTests : FlowTest
{
    private static readonly string[] Thousand = [.. Enumerable.Range(1, 1000).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    /// <summary>Squares its item; fails on every multiple of 97 (10 of 1,000) unless told otherwise.</summary>
    private static Func<TaskContext, CancellationToken, Task<JsonNode?>> Square(HashSet<int> failing, List<string> seen) => (context, _) =>
    {
        int n = int.Parse(context.Item!, System.Globalization.CultureInfo.InvariantCulture);
        lock (seen)
        {
            seen.Add(context.Item!);
        }
        return failing.Contains(n) ? throw new TaskFailedException($"{n} is unlucky") : System.Threading.Tasks.Task.FromResult<JsonNode?>(n * n);
    };

    private static readonly HashSet<int> Unlucky = [.. Enumerable.Range(1, 1000).Where(n => n % 97 == 0)];

    private FlowDefinition Squares(MappedFailure policy, HashSet<int> failing, List<string> seen, List<JsonNode?> downstream) =>
        Flow().OnMappedFailure(policy).MaxParallel(16)
            .Task("square", t => t.Run(Square(failing, seen)).MapItems(Thousand, parallel: 8))
            .Task("total", t => t.Run((context, _) =>
            {
                downstream.Add(context.Upstream["square"]!.DeepClone());
                long sum = context.Upstream["square"]!.AsArray().Where(n => n is JsonValue).Sum(n => (long)n!);
                return System.Threading.Tasks.Task.FromResult<JsonNode?>(sum);
            }).DependsOn("square"))
            .Build();

    [Fact]
    public async Task With_on_mapped_failure_continue_the_failed_instances_fail_alone_and_the_downstream_gets_every_result()
    {
        var seen = new List<string>();
        var downstream = new List<JsonNode?>();

        var result = await RunAsync(Squares(MappedFailure.Continue, Unlucky, seen, downstream));

        Assert.Equal(1000, seen.Count);
        var instances = result.Tasks.Where(t => t.Task == "square" && t.Instance >= 0).ToList();
        Assert.Equal(1000, instances.Count);
        Assert.Equal(Unlucky.Order(), instances.Where(i => i.State == TaskState.Failed).Select(i => int.Parse(i.Item!, System.Globalization.CultureInfo.InvariantCulture)).Order());
        Assert.Equal(990, instances.Count(i => i.State == TaskState.Completed));
        Assert.Equal((TaskState.Completed, "10 of 1000 instances failed (on_mapped_failure: continue)"), (Task(result, "square").State, Task(result, "square").Error));
        // The list is in item order: a result for each completed instance, what went wrong for each failed one.
        var list = Assert.Single(downstream)!.AsArray();
        Assert.Equal(1000, list.Count);
        Assert.Equal(4L, (long)list[1]!);
        Assert.Equal(("97", "failed", "97 is unlucky"), ((string)list[96]!["item"]!, (string)list[96]!["state"]!, (string)list[96]!["error"]!));
        long expected = Enumerable.Range(1, 1000).Where(n => !Unlucky.Contains(n)).Sum(n => (long)n * n);
        Assert.Equal(expected.ToString(System.Globalization.CultureInfo.InvariantCulture), Task(result, "total").Result);
        Assert.Equal(RunState.Succeeded, result.State);
    }

    [Fact]
    public async Task With_on_mapped_failure_fail_the_task_fails_its_dependents_are_skipped_and_a_resumed_run_runs_only_the_failed_instances()
    {
        var seen = new List<string>();
        var downstream = new List<JsonNode?>();
        var failing = new HashSet<int>(Unlucky);

        var failed = await RunAsync(Squares(MappedFailure.Fail, failing, seen, downstream));
        failing.Clear(); // the cause is fixed
        seen.Clear();
        var resumed = await RunAsync(Squares(MappedFailure.Fail, failing, seen, downstream));

        Assert.Equal(RunState.Failed, failed.State);
        Assert.Equal((TaskState.Failed, "10 of 1000 instances failed; the first: 97: 97 is unlucky"), (Task(failed, "square").State, Task(failed, "square").Error));
        Assert.Equal(TaskState.Skipped, Task(failed, "total").State);
        Assert.True(resumed.Resumed);
        Assert.Equal(failed.Run.Run.Id, resumed.Run.Run.Id);
        Assert.Equal(Unlucky.Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)).Order(), seen.Order());
        Assert.Equal(RunState.Succeeded, resumed.State);
        Assert.Equal(Enumerable.Range(1, 1000).Sum(n => (long)n * n).ToString(System.Globalization.CultureInfo.InvariantCulture), Task(resumed, "total").Result);
    }

    [Fact]
    public async Task A_glob_maps_over_the_files_it_matches_when_the_task_starts_and_a_command_gets_each_as_its_item()
    {
        foreach (string day in new[] { "2024-01-01", "2024-01-02", "2024-01-03" })
        {
            Dir.Write($"in/{day}.csv", "x\n");
        }
        Dir.Write("in/notes.txt", "not a day");
        var flow = Flow()
            .Task("size", t => t.Command("bash", "-c", "basename \"$SLUICE_ITEM\" >> done.txt; echo \"{\\\"file\\\": \\\"$(basename $1)\\\"}\" > \"$SLUICE_RESULT\"", "_", "${item}").MapGlob("in/*.csv", parallel: 2))
            .Build();

        var result = await RunAsync(flow);

        Assert.Equal(RunState.Succeeded, result.State);
        Assert.Equal(["2024-01-01.csv", "2024-01-02.csv", "2024-01-03.csv"], File.ReadAllLines(Dir.File("done.txt")).Order(StringComparer.Ordinal));
        var list = JsonNode.Parse(Task(result, "size").Result!)!.AsArray();
        Assert.Equal(["2024-01-01.csv", "2024-01-02.csv", "2024-01-03.csv"], list.Select(r => (string)r!["value"]!["file"]!));
    }

    [Fact]
    public async Task The_lines_an_upstream_command_writes_are_the_items_and_an_empty_list_maps_to_no_instance()
    {
        var flow = Flow().Parameter("days", "a b c")
            .Task("list", t => t.Command("bash", "-c", "printf '%s\\n' $1 > \"$SLUICE_RESULT\"", "_", "${params.days}"))
            .Task("echo", t => t.Run((c, _) => System.Threading.Tasks.Task.FromResult<JsonNode?>(c.Item!.ToUpperInvariant())).MapResultOf("list"))
            .Build();
        FlowRunRequest Days(string days) => new() { Parameters = new Dictionary<string, string> { ["days"] = days }, Fresh = true };

        var three = await RunAsync(flow, Days("a b c"));
        var none = await RunAsync(flow, Days(""));
        var one = await RunAsync(flow, Days("2024"));

        Assert.Equal("[\"A\",\"B\",\"C\"]", Task(three, "echo").Result);
        Assert.Equal(("[]", TaskState.Completed), (Task(none, "echo").Result, Task(none, "echo").State));
        Assert.Equal("[\"2024\"]", Task(one, "echo").Result); // a number in the file, one item all the same
        Assert.DoesNotContain(none.Tasks, t => t.Task == "echo" && t.Instance >= 0);
    }
}
