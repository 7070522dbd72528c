using Sluice.Flows;
using Sluice.Pipelines;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Flows;

public sealed class FlowFileTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private FlowDefinition Load(string yaml) => FlowFile.Load(_dir.Write("flow.yaml", yaml));

    private List<string> Problems(string yaml) =>
        [.. Assert.Throws<PipelineException>(() => Load(yaml)).Diagnostics.Select(d => d.ToString().Replace(_dir.Path + "/", "", StringComparison.Ordinal))];

    [Fact]
    public void A_file_using_every_key_reads_into_the_definition_it_says()
    {
        var flow = Load("""
            name: nightly
            description: extract, clean, report
            params:
              date: "2024-01-01"
              region: { description: where }
            max_parallel: 3
            limits: { warehouse: 2 }
            on_mapped_failure: continue
            tasks:
              extract:
                command: [bash, extract.sh, "${params.date}"]
                env: { MODE: fast }
                workdir: scripts
                output_limit: 1000
                retries: { count: 3, delay: 10s, max_delay: 2m, jitter: false }
                timeout: 15m
                cache: { inputs: [data/*.csv], expire: 7d }
              clean:
                pipeline: clean.yaml
                memory_limit: 1.5GB
                params: { day: "${params.date}" }
                depends_on: [extract]
                tags: [warehouse]
                retries: 2
                map: { items: [eu, us], parallel: 2 }
            """);

        Assert.Equal(("nightly", 3, MappedFailure.Continue), (flow.Name, flow.MaxParallel, flow.OnMappedFailure));
        Assert.Equal(new Dictionary<string, string?> { ["date"] = "2024-01-01", ["region"] = null }, flow.Parameters);
        Assert.Equal(2, flow.TagLimits["warehouse"]);
        var extract = flow.Tasks[0];
        var command = Assert.IsType<CommandTaskAction>(extract.Action);
        Assert.Equal(["bash", "extract.sh", "${params.date}"], command.Arguments);
        Assert.Equal(("fast", "scripts", 1000), (command.Environment["MODE"], command.WorkingDirectory, command.OutputLimit));
        Assert.Equal(new TaskRetry(3, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(2), false), extract.Retry);
        Assert.Equal(TimeSpan.FromMinutes(15), extract.Timeout);
        Assert.Equal(["data/*.csv"], extract.Cache!.Inputs);
        Assert.Equal(TimeSpan.FromDays(7), extract.Cache.Expire);
        var clean = flow.Tasks[1];
        Assert.Equal(("clean.yaml", "${params.date}"), (((PipelineTaskAction)clean.Action).Path, ((PipelineTaskAction)clean.Action).Parameters["day"]));
        Assert.Equal(3L << 29, ((PipelineTaskAction)clean.Action).MemoryLimit);
        Assert.Equal(["extract"], clean.DependsOn);
        Assert.Equal(["warehouse"], clean.Tags);
        Assert.Equal(2, clean.Retry.Retries);
        Assert.Equal(["eu", "us"], clean.Map!.Items!);
        Assert.Equal(2, clean.Map.Parallel);
        Assert.Equal(_dir.Path, flow.BaseDirectory);
    }

    [Fact]
    public void Every_problem_is_reported_at_once_at_its_line_and_column()
    {
        var problems = Problems("""
            name: broken
            params: { date: "2024-01-01" }
            tasks:
              a:
                command: [echo, "${params.day}"]
                depends_on: [c]
                retries: { count: 2, delay: soon }
              b:
                pipeline: p.yaml
                command: [echo]
              c:
                command: [echo]
                depends_on: [a]
                tags: [db]
                timeout: 0s
                colour: blue
            """);

        // Problems of a task's graph and references are at the task; those of a value, at the value.
        Assert.Equal([
            "flow.yaml:5:5: task 'a': ${params.day} names no parameter of the flow (declare it under `params:`)",
            "flow.yaml:5:5: tasks depend on each other in a circle: a → c → a",
            "flow.yaml:7:33: task 'a': delay must be a duration from 1ms to 365d with a unit (500ms, 30s, 5m, 2h, 7d); found 'soon'",
            "flow.yaml:9:5: task 'b' has both `command:` and `pipeline:`; give one",
            "flow.yaml:12:5: task 'c': tag 'db' has no limit: give it one under `limits:` (e.g. limits: { db: 2 })",
            "flow.yaml:15:14: task 'c': timeout must be a duration from 1ms to 365d with a unit (500ms, 30s, 5m, 2h, 7d); found '0s'",
            "flow.yaml:16:5: flow.tasks.c: unknown key 'colour'; expected one of: command, pipeline, params, memory_limit, env, workdir, output_limit, depends_on, retries, timeout, cache, tags, map",
        ], problems);
    }

    [Theory]
    [InlineData("tasks: { a: { command: [echo] } }", "required")]
    [InlineData("name: f", "tasks")]
    [InlineData("name: f\ntasks: { a: { } }", "needs `command:` or `pipeline:`")]
    [InlineData("name: f\ntasks: { a: { command: [] } }", "command is an empty list")]
    [InlineData("name: f\ntasks: { a: { command: [echo], params: { x: 1 } } }", "`params` is for a pipeline task")]
    [InlineData("name: f\ntasks: { a: { command: [echo], retries: 5000 } }", "retries must be 0 to 1000")]
    [InlineData("name: f\ntasks: { a: { command: [echo], retries: -1 } }", "retries must be 0 to 1000")]
    [InlineData("name: f\ntasks: { a: { command: [echo], map: { parallel: 2 } } }", "map")]
    [InlineData("name: f\ntasks: { a: { command: [echo], map: { glob: x, items: [y] } } }", "map")]
    [InlineData("name: f\ntasks: { a: { command: [echo, \"${item}\"] } }", "only known in a mapped task")]
    [InlineData("name: f\ntasks: { a: { command: [echo, \"${tasks.b.value}\"] }, b: { command: [echo] } }", "must be in depends_on")]
    [InlineData("name: f\nmax_parallel: 0\ntasks: { a: { command: [echo] } }", "max_parallel must be at least 1")]
    [InlineData("name: f\non_mapped_failure: maybe\ntasks: { a: { command: [echo] } }", "on_mapped_failure")]
    [InlineData("name: f\ntasks: { a: { command: [echo, \"${params\"] } }", "${")]
    [InlineData("- just\n- a list", "expected a mapping with `name:` and `tasks:`")]
    [InlineData("name: f\ntasks: { a: { command: [echo], output_limit: 0 } }", "output_limit must be 1 to 16777216")]
    [InlineData("name: f\ntasks: { a: { command: [echo], output_limit: 10000000000 } }", "output_limit must be 1 to 16777216")]
    [InlineData("name: f\ntasks: { a: { command: [echo], memory_limit: 1GB } }", "`memory_limit` is for a pipeline task")]
    [InlineData("name: f\ntasks: { a: { pipeline: p.yaml, memory_limit: 64MB } }", "memory_limit must be a size of at least 128MB (512MB, 2GB); found '64MB'")]
    [InlineData("name: f\nlimits: { db: 0 }\ntasks: { a: { command: [echo], tags: [db] } }", "limits.db must be at least 1")]
    public void A_bad_flow_file_is_refused_with_the_reason(string yaml, string reason)
    {
        var problems = Problems(yaml);

        Assert.Contains(problems, p => p.StartsWith("flow.yaml:", StringComparison.Ordinal) && p.Contains(reason, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("name: f\ntasks: [\n")]
    [InlineData("name: f\ntasks: { a: { command: [echo] } }\nname: g")]
    [InlineData("\t- tab")]
    [InlineData("")]
    public void Broken_YAML_is_a_problem_with_a_place_not_a_crash(string yaml)
    {
        var problems = Problems(yaml);

        Assert.All(problems, p => Assert.StartsWith("flow.yaml", p, StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_file_says_so()
    {
        var e = Assert.Throws<PipelineException>(() => FlowFile.Load(_dir.File("nope.yaml")));

        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_JSON_schema_declares_every_task_key()
    {
        var schema = System.Text.Json.Nodes.JsonNode.Parse(FlowFile.JsonSchema())!;
        string text = schema.ToJsonString();

        foreach (string key in new[] { "command", "pipeline", "depends_on", "retries", "timeout", "cache", "tags", "map", "on_mapped_failure", "max_parallel" })
        {
            Assert.Contains($"\"{key}\"", text, StringComparison.Ordinal);
        }
    }
}
