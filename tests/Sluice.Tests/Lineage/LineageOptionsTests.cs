using Sluice.Lineage;
using Sluice.Lineage.OpenLineage;

namespace Sluice.Tests.Lineage;

public sealed class LineageOptionsTests
{
    [Theory]
    [InlineData("http://marquez:5000", "http://marquez:5000/api/v1/lineage")]
    [InlineData("http://marquez:5000/", "http://marquez:5000/api/v1/lineage")]
    [InlineData("https://lineage.example.com/custom/events", "https://lineage.example.com/custom/events")]
    public void A_url_without_a_path_gets_api_v1_lineage_and_one_with_a_path_is_used_as_written(string target, string endpoint) =>
        Assert.Equal(endpoint, new LineageOptions { Target = target }.Endpoint?.ToString());

    [Fact]
    public void A_file_path_is_a_file_target()
    {
        var options = new LineageOptions { Target = "out/lineage.jsonl" };
        Assert.Null(options.Endpoint);
        Assert.Null(options.Problem());
    }

    [Theory]
    [InlineData("ftp://host/x", "is not an http(s) URL with a host nor a file path")]
    [InlineData(" ", "the lineage target is empty")]
    public void A_target_that_is_neither_is_refused_in_one_line(string target, string problem) =>
        Assert.Contains(problem, new LineageOptions { Target = target }.Problem(), StringComparison.Ordinal);

    [Fact]
    public void A_runner_refuses_options_with_a_problem() =>
        Assert.Contains("lineage namespace is empty",
            Assert.Throws<ArgumentException>(() => new PipelineRunner(null!, new RunnerOptions { Lineage = new LineageOptions { Target = "x", Namespace = "" } })).Message,
            StringComparison.Ordinal);

    [Fact]
    public void A_run_id_always_gives_the_same_version_5_uuid_and_two_ids_two_uuids()
    {
        var uuid = RunEvents.RunUuid("20261206-051447-a1b2c3");
        Assert.Equal(uuid, RunEvents.RunUuid("20261206-051447-a1b2c3"));
        Assert.NotEqual(uuid, RunEvents.RunUuid("20261206-051447-a1b2c4"));
        Assert.Equal('5', uuid.ToString()[14]);
        Assert.Contains(uuid.ToString()[19], "89ab");
    }

    [Fact]
    public void A_url_dataset_has_no_user_info_or_query()
    {
        var dataset = Sluice.Extensibility.LineageDataset.ForUrl(new Uri("https://user:secret@api.example.com:8443/v1/orders?api_key=xyz"));
        Assert.Equal(("https://api.example.com:8443", "/v1/orders"), (dataset.Namespace, dataset.Name));
    }
}
