using Sluice.Cli.Tests.TestSupport;

namespace Sluice.Redis.Tests;

/// <summary>Empty names in the redis_stream options are problems at their place in the file, found before any server
/// is asked (an empty group or stream key would otherwise reach Redis as a confusing error, or not at all).</summary>
public sealed class OptionProblemsTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Empty_stream_keys_group_and_consumer_of_the_source_are_each_a_problem()
    {
        string pipeline = _dir.Write("pipeline.yaml", """
            name: empty-names
            source:
              type: redis_stream
              connection: "127.0.0.1:1"
              streams: [orders, ""]
              group: ""
              consumer: ""
            contract: { fields: { id: { type: int64 } } }
            sink: { type: jsonl, path: out }
            """);

        var result = await Cli.Tests.TestSupport.Sluice.RunAsync("validate", pipeline);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("pipeline.yaml:5:12: streams: a stream key cannot be empty", result.Stderr);
        Assert.Contains("pipeline.yaml:6:10: group cannot be empty", result.Stderr);
        Assert.Contains("pipeline.yaml:7:13: consumer cannot be empty", result.Stderr);
    }

    [Fact]
    public async Task An_empty_stream_or_id_field_of_the_sink_is_each_a_problem()
    {
        _dir.Write("in.jsonl", "{\"id\": 1}\n");
        string pipeline = _dir.Write("pipeline.yaml", """
            name: empty-names
            source: { type: jsonl, path: in.jsonl }
            contract: { fields: { id: { type: int64 } } }
            sink:
              type: redis_stream
              connection: "127.0.0.1:1"
              stream: ""
              id_field: ""
            """);

        var result = await Cli.Tests.TestSupport.Sluice.RunAsync("validate", pipeline);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("pipeline.yaml:7:11: stream cannot be empty", result.Stderr);
        Assert.Contains("pipeline.yaml:8:13: id_field cannot be empty", result.Stderr);
    }
}
