using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Sluice.Configuration;
using Sluice.Lineage;
using Sluice.Lineage.OpenLineage;
using Sluice.State;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Lineage;

/// <summary>Runs of real pipelines sending OpenLineage events, checked against the published schema.</summary>
public sealed class OpenLineageEventTests : StateStoreTest
{
    /// <summary>A contract types the CSV, then a rename, derives (one from another) and a select.</summary>
    private PipelineDefinition Orders(string extra = "")
    {
        Dir.Write("in/a.csv", "id,price,qty,note\n1,2.50,4,x\n2,1.00,3,y\n");
        return PipelineFile.Parse(Dir.Write("p.yaml", $$"""
            name: orders
            source: { type: csv, path: in/*.csv }
            contract:
              fields:
                id: { type: int64, required: true }
                price: { type: decimal, scale: 2 }
                qty: { type: int64 }
                note: { type: string }
            transforms:
              - rename: { price: unit_price }
              - derive:
                  total: unit_price * qty
                  label: note || '!'
                  twice: total * 2
              - select: [id, total, label, twice, qty]
            sink: { type: jsonl, path: out }
            {{extra}}
            """), ComponentCatalog.BuiltIn, new Dictionary<string, string>());
    }

    private RunnerOptions ToFile() => new() { Lineage = new LineageOptions { Target = Dir.File("events.jsonl") } };

    private List<JsonElement> FileEvents() =>
        File.ReadAllLines(Dir.File("events.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    [Fact]
    public async Task A_run_appends_START_then_COMPLETE_that_meet_the_published_schema()
    {
        var outcome = await new PipelineRunner(Store, ToFile()).RunAsync(Orders());

        Assert.Equal(RunState.Succeeded, outcome.Run.State);
        var events = FileEvents();
        Assert.Equal(["START", "COMPLETE"], events.Select(e => e.GetProperty("eventType").GetString()));
        events.ForEach(OpenLineageSchemas.AssertValid);
        string runId = RunEvents.RunUuid(outcome.Run.Id).ToString();
        Assert.All(events, e =>
        {
            Assert.Equal(runId, e.GetProperty("run").GetProperty("runId").GetString());
            Assert.Equal("sluice", e.GetProperty("job").GetProperty("namespace").GetString());
            Assert.Equal("orders", e.GetProperty("job").GetProperty("name").GetString());
            Assert.StartsWith("https://github.com/sluice-dev/sluice/tree/v", e.GetProperty("producer").GetString(), StringComparison.Ordinal);
        });
        var input = Assert.Single(events[1].GetProperty("inputs").EnumerateArray());
        Assert.Equal(("file", Path.Combine(Dir.Path, "in")), (input.GetProperty("namespace").GetString(), input.GetProperty("name").GetString()));
        // The contract's types, not the CSV's text.
        Assert.Equal(["id int64", "price decimal", "qty int64", "note string"], Fields(input));
        var output = Assert.Single(events[1].GetProperty("outputs").EnumerateArray());
        Assert.Equal(("file", Dir.File("out")), (output.GetProperty("namespace").GetString(), output.GetProperty("name").GetString()));
        Assert.Equal(["id", "total", "label", "twice", "qty"], Fields(output).Select(f => f.Split(' ')[0]));
    }

    /// <summary>The validation the other tests rely on can fail: on the event itself and inside a facet, whose schema
    /// is found by its <c>_schemaURL</c>.</summary>
    [Fact]
    public async Task The_schemas_reject_a_run_id_that_is_no_uuid_and_a_schema_facet_whose_fields_are_no_list()
    {
        await new PipelineRunner(Store, ToFile()).RunAsync(Orders());
        string line = File.ReadAllLines(Dir.File("events.jsonl"))[1];
        var runId = System.Text.Json.Nodes.JsonNode.Parse(line)!;
        runId["run"]!["runId"] = "run-1";
        var fields = System.Text.Json.Nodes.JsonNode.Parse(line)!;
        fields["inputs"]![0]!["facets"]!["schema"]!["fields"] = "id";

        Assert.Contains(OpenLineageSchemas.Problems(JsonDocument.Parse(runId.ToJsonString()).RootElement), p => p.StartsWith("https://openlineage.io/spec/2-0-2/OpenLineage.json", StringComparison.Ordinal));
        Assert.Contains(OpenLineageSchemas.Problems(JsonDocument.Parse(fields.ToJsonString()).RootElement), p => p.StartsWith("https://openlineage.io/spec/facets/1-2-0/SchemaDatasetFacet.json", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Column_lineage_follows_rename_and_derive_back_to_the_source_columns()
    {
        await new PipelineRunner(Store, ToFile()).RunAsync(Orders());

        var output = FileEvents()[1].GetProperty("outputs")[0];
        var lineage = output.GetProperty("facets").GetProperty("columnLineage").GetProperty("fields").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.GetProperty("inputFields").EnumerateArray().Select(Describe).Order().ToList());
        string folder = Path.Combine(Dir.Path, "in");
        Assert.Equal(new Dictionary<string, List<string>>
        {
            ["id"] = [$"file {folder} id IDENTITY"],
            ["total"] = [$"file {folder} price TRANSFORMATION", $"file {folder} qty TRANSFORMATION"],
            ["label"] = [$"file {folder} note TRANSFORMATION"],
            ["twice"] = [$"file {folder} price TRANSFORMATION", $"file {folder} qty TRANSFORMATION"],
            ["qty"] = [$"file {folder} qty IDENTITY"],
        }, lineage);
    }

    [Fact]
    public async Task A_stage_that_names_no_dataset_is_named_after_its_type_and_a_transform_that_says_nothing_hides_the_columns_after_it()
    {
        var pipeline = new PipelineDefinition("plain", [
            new("read", new MemorySourceOptions(10), []),
            new("odd", new ModuloTransformOptions(DeadEvery: 1_000, FilterEvery: 2), ["read"]),
            new("keep", new MemorySinkOptions(), ["odd"]),
        ]);

        await new PipelineRunner(Store, ToFile()).RunAsync(pipeline);

        var complete = FileEvents()[1];
        OpenLineageSchemas.AssertValid(complete);
        var input = complete.GetProperty("inputs")[0];
        Assert.Equal(("sluice:MemorySourceOptions", "plain.read"), (input.GetProperty("namespace").GetString(), input.GetProperty("name").GetString()));
        var output = complete.GetProperty("outputs")[0];
        Assert.Equal("plain.keep", output.GetProperty("name").GetString());
        Assert.False(output.GetProperty("facets").TryGetProperty("columnLineage", out _));
    }

    [Fact]
    public async Task A_run_that_breaks_its_quality_gate_sends_FAIL_with_its_error()
    {
        var pipeline = Orders("dead_letter: { max_ratio: 0.1 }");
        Dir.Write("in/a.csv", "id,price,qty,note\nnot-a-number,2.50,4,x\n2,1.00,3,y\n");

        var outcome = await new PipelineRunner(Store, ToFile()).RunAsync(pipeline);

        Assert.Equal(RunState.QualityGateFailed, outcome.Run.State);
        var events = FileEvents();
        Assert.Equal(["START", "FAIL"], events.Select(e => e.GetProperty("eventType").GetString()));
        events.ForEach(OpenLineageSchemas.AssertValid);
        var error = events[1].GetProperty("run").GetProperty("facets").GetProperty("errorMessage");
        Assert.Equal(outcome.Error, error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Events_are_posted_to_api_v1_lineage_and_a_500_is_tried_again()
    {
        await using var receiver = await LineageReceiver.StartAsync(failFirst: 1);
        var options = new RunnerOptions { Lineage = new LineageOptions { Target = receiver.Root, ApiKey = "k-123" } };

        var outcome = await new PipelineRunner(Store, options).RunAsync(Orders());

        Assert.Equal(RunState.Succeeded, outcome.Run.State);
        Assert.DoesNotContain(outcome.Notes, n => n.Stage == "lineage");
        var requests = receiver.Requests.ToList();
        Assert.Equal([true, false, false], requests.Select(r => r.Failed));
        var received = requests.Where(r => !r.Failed).Select(r => JsonDocument.Parse(r.Body).RootElement.Clone()).ToList();
        Assert.Equal(["START", "COMPLETE"], received.Select(e => e.GetProperty("eventType").GetString()));
        received.ForEach(OpenLineageSchemas.AssertValid);
        Assert.All(requests, r => Assert.Equal("Bearer k-123", r.Authorization));
        Assert.Equal(requests[0].Body, requests[1].Body); // the retry sends the same event
    }

    [Fact]
    public async Task A_dead_endpoint_is_a_warning_on_a_run_that_succeeds()
    {
        var options = new RunnerOptions { Lineage = new LineageOptions { Target = $"http://127.0.0.1:{ClosedPort()}" } };

        var outcome = await new PipelineRunner(Store, options).RunAsync(Orders());

        Assert.Equal(RunState.Succeeded, outcome.Run.State);
        var warnings = outcome.Notes.Where(n => n.Stage == "lineage").ToList();
        Assert.Equal(2, warnings.Count);
        Assert.All(warnings, w => Assert.True(w.Warning));
        Assert.StartsWith("OpenLineage START event not sent to http://127.0.0.1:", warnings[0].Message, StringComparison.Ordinal);
        Assert.Contains("/api/v1/lineage (3 attempts)", warnings[0].Message, StringComparison.Ordinal);
        Assert.StartsWith("OpenLineage COMPLETE event not sent", warnings[1].Message, StringComparison.Ordinal);
        Assert.Equal(warnings, (await Store.GetRunNotesAsync(outcome.Run.Id)).Where(n => n.Stage == "lineage"));
    }

    [Fact]
    public async Task An_endpoint_that_never_answers_is_given_up_after_the_timeout()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start(); // accepts connections (the backlog does) and never answers
        var target = $"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}";
        var options = new RunnerOptions { Lineage = new LineageOptions { Target = target, Timeout = TimeSpan.FromSeconds(1) } };

        var outcome = await new PipelineRunner(Store, options).RunAsync(Orders());

        Assert.Equal(RunState.Succeeded, outcome.Run.State);
        var warnings = outcome.Notes.Where(n => n.Stage == "lineage").Select(n => n.Message).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.All(warnings, w => Assert.EndsWith("(1 attempt): no answer within 1 s", w, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_state_store_keeps_each_pipelines_newest_lineage()
    {
        var first = await new PipelineRunner(Store).RunAsync(Orders());
        var other = await new PipelineRunner(Store).RunAsync(new PipelineDefinition("plain", [
            new("read", new MemorySourceOptions(3), []),
            new("keep", new MemorySinkOptions(), ["read"]),
        ]));
        Dir.Write("in/b.csv", "id,price,qty,note\n3,1.00,1,z\n");
        var second = await new PipelineRunner(Store).RunAsync(Orders());

        var all = await Store.ListLineageAsync();

        Assert.Equal(["orders", "plain"], all.Select(l => l.Pipeline));
        var orders = all[0];
        Assert.Equal(second.Run.Id, orders.RunId);
        Assert.NotEqual(first.Run.Id, orders.RunId);
        Assert.Equal(other.Run.Id, all[1].RunId);
        var input = Assert.Single(orders.Inputs);
        Assert.Equal(("source", "file", Path.Combine(Dir.Path, "in")), (input.Stage, input.Namespace, input.Name));
        Assert.Equal([new LineageField("id", "int64"), new("price", "decimal"), new("qty", "int64"), new("note", "string")], input.Fields);
        var output = Assert.Single(orders.Outputs);
        Assert.Equal(("sink", Dir.File("out")), (output.Stage, output.Name));
        var total = output.Columns.Single(c => c.Column == "total");
        Assert.Equal([new ColumnOrigin("file", input.Name, "price", Computed: true), new ColumnOrigin("file", input.Name, "qty", Computed: true)],
            total.Inputs.OrderBy(o => o.Field));
        Assert.Equal([new ColumnOrigin("file", input.Name, "id", Computed: false)], output.Columns.Single(c => c.Column == "id").Inputs);
    }

    [Fact]
    public async Task A_pipeline_reading_the_files_another_writes_reads_the_dataset_it_wrote()
    {
        await new PipelineRunner(Store).RunAsync(Orders());
        var report = PipelineFile.Parse(Dir.Write("report.yaml", """
            name: report
            source: { type: jsonl, path: out/*.jsonl, columns: [id, total] }
            sink: { type: csv, path: report }
            """), ComponentCatalog.BuiltIn, new Dictionary<string, string>());
        await new PipelineRunner(Store).RunAsync(report);

        var all = (await Store.ListLineageAsync()).ToDictionary(l => l.Pipeline);

        var written = Assert.Single(all["orders"].Outputs);
        var read = Assert.Single(all["report"].Inputs);
        Assert.Equal(("file", Dir.File("out")), (written.Namespace, written.Name));
        Assert.Equal((written.Namespace, written.Name), (read.Namespace, read.Name));
    }

    [Fact]
    public async Task A_replay_run_sends_its_events_and_leaves_the_pipelines_stored_lineage_to_its_runs()
    {
        var pipeline = Orders();
        Dir.Write("in/a.csv", "id,price,qty,note\nnot-a-number,2.50,4,x\n2,1.00,3,y\n");
        var first = await new PipelineRunner(Store, ToFile()).RunAsync(pipeline);

        var replay = await new PipelineRunner(Store, ToFile()).ReplayAsync(pipeline, new DeadLetterQuery());

        var run = Assert.Single(replay.Runs).Run;
        var events = FileEvents();
        events.ForEach(OpenLineageSchemas.AssertValid);
        Assert.Equal(["START", "COMPLETE", "START", "COMPLETE"], events.Select(e => e.GetProperty("eventType").GetString()));
        Assert.Equal(RunEvents.RunUuid(run.Id).ToString(), events[2].GetProperty("run").GetProperty("runId").GetString());
        Assert.Equal(Path.Combine(Dir.Path, "in"), events[2].GetProperty("inputs")[0].GetProperty("name").GetString());
        Assert.Equal(first.Run.Id, Assert.Single(await Store.ListLineageAsync()).RunId);
    }

    private static IEnumerable<string> Fields(JsonElement dataset) =>
        dataset.GetProperty("facets").GetProperty("schema").GetProperty("fields").EnumerateArray()
            .Select(f => $"{f.GetProperty("name").GetString()} {f.GetProperty("type").GetString()}").ToList();

    private static string Describe(JsonElement field) =>
        $"{field.GetProperty("namespace").GetString()} {field.GetProperty("name").GetString()} {field.GetProperty("field").GetString()} " +
        field.GetProperty("transformations")[0].GetProperty("subtype").GetString();

    /// <summary>A loopback port nothing listens on: taken, then let go.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
