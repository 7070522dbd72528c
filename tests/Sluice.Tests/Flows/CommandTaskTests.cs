using Sluice.Flows;

namespace Sluice.Tests.Flows;

public sealed class CommandTaskTests : FlowTest
{
    [Fact]
    public async Task A_command_gets_its_arguments_and_environment_and_its_result_holds_the_JSON_it_wrote_and_its_last_lines()
    {
        var flow = Flow().Parameter("day", "2024-02-29")
            .Task("write", t => t.Command(["bash", "-c", "echo first; echo \"day $1 in $SLUICE_FLOW/$SLUICE_TASK, $${GREETING}\"; echo '{\"rows\": 42}' > \"$SLUICE_RESULT\"", "_", "${params.day}"],
                new Dictionary<string, string> { ["GREETING"] = "hello" }))
            .Task("read", t => t.Command("bash", "-c", "echo \"got $1\"; test \"$1\" = 42", "_", "${tasks.write.value.rows}").DependsOn("write"))
            .Build();

        var result = await RunAsync(flow);

        Assert.Equal(RunState.Succeeded, result.State);
        var write = System.Text.Json.Nodes.JsonNode.Parse(Task(result, "write").Result!)!;
        Assert.Equal(0, (int)write["exit_code"]!);
        Assert.Equal(42, (int)write["value"]!["rows"]!);
        Assert.Equal(["first", "day 2024-02-29 in f/write, hello"], write["lines"]!.AsArray().Select(l => (string)l!));
        Assert.Equal("got 42", Task(result, "read").Output);
    }

    [Fact]
    public async Task A_command_that_exits_non_zero_fails_with_the_code_and_its_last_error_line()
    {
        var flow = Flow().Task("bad", t => t.Command("bash", "-c", "echo working; echo 'no such table' >&2; exit 3")).Build();

        var result = await RunAsync(flow);

        Assert.Equal((TaskState.Failed, "exit code 3: no such table"), (Task(result, "bad").State, Task(result, "bad").Error));
        // Two pipes: which of the lines came first is not known, only that both were kept.
        Assert.Equal(["no such table", "working"], Task(result, "bad").Output!.Split('\n').Order());
    }

    [Fact]
    public async Task A_program_that_does_not_exist_fails_the_task_not_the_process()
    {
        var flow = Flow().Task("ghost", t => t.Command("no-such-program-sluice")).Build();

        var result = await RunAsync(flow);

        Assert.Equal(TaskState.Failed, Task(result, "ghost").State);
        Assert.StartsWith("cannot start 'no-such-program-sluice'", Task(result, "ghost").Error);
        Assert.EndsWith($"(a program on PATH, or a path relative to {Dir.Path})", Task(result, "ghost").Error);
    }

    /// <summary>The kernel refuses arguments over 128 KB; where to look for the program does not help then.</summary>
    [Fact]
    public async Task An_argument_too_long_for_the_kernel_fails_the_task_without_a_hint_about_PATH()
    {
        var flow = Flow().Task("long", t => t.Command("bash", "-c", "true", "_", new string('x', 200_000))).Build();

        var result = await RunAsync(flow);

        Assert.Equal(TaskState.Failed, Task(result, "long").State);
        Assert.StartsWith("cannot start 'bash': ", Task(result, "long").Error);
        Assert.Contains("Argument list too long", Task(result, "long").Error);
        Assert.DoesNotContain("PATH", Task(result, "long").Error);
    }

    [Fact]
    public async Task A_folder_named_as_the_program_fails_the_task_saying_so()
    {
        Directory.CreateDirectory(Dir.File("tools"));
        var flow = Flow().Task("folder", t => t.Command("./tools")).Build();

        var result = await RunAsync(flow);

        Assert.Equal((TaskState.Failed, "cannot start './tools': it is a folder, not a program"), (Task(result, "folder").State, Task(result, "folder").Error));
    }

    [Fact]
    public async Task Output_past_the_limit_keeps_only_its_last_characters()
    {
        var flow = Flow().Task("chatty", t => t.Command("bash", "-c", "for i in $(seq 1 5000); do echo line $i; done")).Build();
        flow = flow with { Tasks = [flow.Tasks[0] with { Action = ((CommandTaskAction)flow.Tasks[0].Action) with { OutputLimit = 100 } }] };

        var result = await RunAsync(flow);

        string output = Task(result, "chatty").Output!;
        Assert.True(output.Length <= 100, output);
        Assert.EndsWith("line 5000", output);
    }

    [Fact]
    public async Task A_result_file_over_8_MB_fails_the_task_saying_how_big_it_was()
    {
        var flow = Flow().Task("big", t => t.Command("bash", "-c", "head -c 9000000 /dev/zero | tr '\\0' 1 > \"$SLUICE_RESULT\"")).Build();

        var result = await RunAsync(flow);

        var big = Task(result, "big");
        Assert.Equal(TaskState.Failed, big.State);
        Assert.StartsWith("it wrote 8.6 MB to $SLUICE_RESULT; a result is at most 8 MB", big.Error, StringComparison.Ordinal);
    }
}
