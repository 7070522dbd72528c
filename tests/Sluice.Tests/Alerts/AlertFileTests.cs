using Sluice.Alerts;
using Sluice.Flows;
using Sluice.Pipelines;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Alerts;

/// <summary><c>freshness</c>, <c>sla</c> and <c>alerts</c> in flow and pipeline files: read, and refused at their place.</summary>
public sealed class AlertFileTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private const string BadKeys = """
        freshness: 0s
        sla: { finish_by: "25:00", time_zone: Nowhere/Town }
        alerts: { webhook: "ftp://host/secret-token" }
        """;

    [Fact]
    public void A_flow_files_promises_and_webhook_are_read()
    {
        string path = _dir.Write("flow.yaml", """
            name: nightly
            freshness: 2h
            sla: { finish_by: "06:00", time_zone: Europe/Paris }
            alerts: { webhook: "https://hooks.example.com/x", headers: { Authorization: "Bearer ${env:SOME_UNSET_TOKEN}" } }
            tasks: { a: { command: ["true"] } }
            """);

        var alerts = FlowFile.Load(path).Alerts;

        Assert.Equal(TimeSpan.FromHours(2), alerts.Freshness);
        Assert.Equal("06:00 Europe/Paris", alerts.Sla?.ToString());
        Assert.Equal("https://hooks.example.com/x", alerts.Webhook?.Url.ToString());
        // A secret header keeps its reference until a request is made (an unset variable is no load error).
        Assert.Equal("Bearer ${env:SOME_UNSET_TOKEN}", alerts.Webhook?.Headers["Authorization"]);
    }

    [Fact]
    public void Bad_values_in_a_flow_file_are_each_refused_at_their_place()
    {
        string path = _dir.Write("flow.yaml", "name: nightly\n" + BadKeys + "\ntasks: { a: { command: [\"true\"] } }\n");

        var error = Assert.Throws<PipelineException>(() => FlowFile.Load(path));

        Assert.Equal(
        [
            "flow.yaml:2:12: freshness must be a duration from 1s to 365d with a unit (30s, 15m, 2h, 1d); found '0s'",
            "flow.yaml:3:19: sla: finish_by must be a time of day HH:MM (00:00 to 23:59), or HH:MM:SS; found '25:00'",
            "flow.yaml:3:39: sla: unknown time zone 'Nowhere/Town': write an IANA time zone id such as UTC, Europe/Paris or America/New_York",
            "flow.yaml:4:20: alerts: webhook must be an absolute http or https URL",
        ], error.Diagnostics.Select(d => d.ToString().Replace(_dir.Path + "/", "", StringComparison.Ordinal)));
        Assert.DoesNotContain("secret-token", error.Message);
    }

    [Fact]
    public void A_negative_freshness_is_refused_in_a_pipeline_file_as_in_a_flow_file()
    {
        string path = _dir.Write("p.yaml", "name: p\nfreshness: -1h\nsource: { type: csv, path: in.csv }\nsink: { type: jsonl, path: out }\n");
        var problems = new List<Diagnostic>();

        var target = AlertTargets.ForPipelineFile(path, problems);

        Assert.Null(target);
        Assert.Equal("p.yaml:2:12: freshness must be a duration from 1s to 365d with a unit (30s, 15m, 2h, 1d); found '-1h'",
            Assert.Single(problems).ToString().Replace(_dir.Path + "/", "", StringComparison.Ordinal));
    }

    [Fact]
    public void A_webhook_header_that_could_not_be_sent_is_refused_at_its_place_without_its_value()
    {
        // HttpClient would have dropped "X Api Key" without a word: every alert sent without its key.
        string path = _dir.Write("p.yaml", "name: p\nfreshness: 1h\nalerts: { webhook: \"http://h/\", headers: { X Api Key: s3cret-value } }\n" +
            "source: { type: csv, path: in.csv }\nsink: { type: jsonl, path: out }\n");
        var problems = new List<Diagnostic>();

        AlertTargets.ForPipelineFile(path, problems);

        string problem = Assert.Single(problems).ToString().Replace(_dir.Path + "/", "", StringComparison.Ordinal);
        Assert.StartsWith("p.yaml:3:55: alerts: header name 'X Api Key' is not an HTTP header name", problem);
        Assert.DoesNotContain("s3cret-value", problem);
    }

    [Fact]
    public void A_flows_pipeline_task_is_judged_under_the_pipelines_name_and_sends_to_the_flows_webhook()
    {
        _dir.Write("p.yaml", "name: clean\nsla: { finish_by: \"07:30\" }\nsource: { type: csv, path: \"${params.file}\" }\nsink: { type: jsonl, path: out }\n");
        string flow = _dir.Write("flow.yaml", """
            name: nightly
            alerts: { webhook: "http://127.0.0.1:1/hook" }
            tasks: { clean: { pipeline: p.yaml, params: { file: a.csv } } }
            """);
        var problems = new List<Diagnostic>();

        var targets = AlertTargets.ForFlows([FlowFile.Load(flow)], problems);

        Assert.Empty(problems);
        var target = Assert.Single(targets); // the flow promises nothing itself
        Assert.Equal((AlertSubjectKind.Pipeline, "clean", "07:30 UTC", "http://127.0.0.1:1/hook"),
            (target.Kind, target.Name, target.Policy.Sla?.ToString(), target.Policy.Webhook?.Url.ToString()));
    }
}
