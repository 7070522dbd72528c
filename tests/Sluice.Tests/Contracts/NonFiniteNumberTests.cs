using System.Text.Json;
using Sluice.Configuration;
using Sluice.DeadLetters;
using Sluice.Execution;
using Sluice.State;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Contracts;

/// <summary>
/// NaN and infinities, end to end: a number too large for float64 is a parse dead letter rather than Infinity, NaN
/// breaks any min or max (every comparison with NaN is false), and the JSON Lines sink never writes a number column
/// as a string.
/// </summary>
public sealed class NonFiniteNumberTests : StateStoreTest
{
    private async Task<RunOutcome> RunAsync(string rules)
    {
        Dir.Write("in.jsonl", """
            {"id": 1, "x": 1e400}
            {"id": 2, "x": "NaN"}
            {"id": 3, "x": 0.5}
            {"id": 4, "x": null}
            {"id": 5, "x": "-Infinity"}
            """);
        var pipeline = PipelineFile.Parse(Dir.Write("p.yaml", $$"""
            name: numbers
            source: { type: jsonl, path: in.jsonl }
            contract:
              fields:
                id: { type: int64 }
                x: { type: float64{{rules}} }
            sink: { type: jsonl, path: out }
            """)) with { BaseDirectory = Dir.Path };
        return await new PipelineRunner(Store).RunAsync(pipeline);
    }

    [Fact]
    public async Task NaN_and_infinities_break_min_and_max_and_1e400_is_not_a_float64()
    {
        var outcome = await RunAsync(", min: 0, max: 1");

        Assert.Equal(RunState.Succeeded, outcome.Run.State);
        Assert.Equal([3L, 4L], JsonlOutput.Ids(Dir.File("out")).Order());
        var letters = await Store.ListDeadLettersAsync(new DeadLetterQuery(RunId: outcome.Run.Id));
        Assert.Equal([(1L, DeadLetterReason.Parse, "type"), (2L, DeadLetterReason.Contract, "min"), (5L, DeadLetterReason.Contract, "min")],
            letters.Select(l => (l.Line, l.Reason, l.Rule!)).Order());
    }

    [Fact]
    public async Task The_jsonl_sink_writes_a_non_finite_double_as_null_never_as_a_string()
    {
        var outcome = await RunAsync("");

        Assert.Equal(4L, outcome.Run.RecordsWritten);
        var values = Directory.GetFiles(Dir.File("out"), "*.jsonl").SelectMany(File.ReadLines)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .ToDictionary(o => o.GetProperty("id").GetInt64(), o => o.GetProperty("x"));
        Assert.Equal([2L, 3L, 4L, 5L], values.Keys.Order());
        Assert.Equal(0.5, values[3].GetDouble());
        Assert.All([values[2], values[4], values[5]], v => Assert.Equal(JsonValueKind.Null, v.ValueKind));
    }
}
