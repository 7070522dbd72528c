using Sluice.Configuration;
using Sluice.Execution;
using Sluice.State;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Configuration;

/// <summary><c>${params.NAME}</c> in a pipeline file: in option values as text, in expressions as a string value only.
/// Expressions once kept the reference as it was written, so <c>filter: day = '${params.day}'</c> compared every row
/// with the text "${params.day}" and filtered them all, without a word.</summary>
public class ParameterReferenceTests
{
    private const string Input = "id,day\n1,2024-01-01\n2,2024-01-02\n3,it's\n";

    private static async Task<List<string>> RunAsync(TempDir dir, string filter, string day)
    {
        dir.Write("in.csv", Input);
        dir.Write("p.yaml", $"""
            name: p
            source: {"{"} type: csv, path: in.csv {"}"}
            transforms:
              - filter: {filter}
            sink: {"{"} type: jsonl, path: out {"}"}
            """);
        await using var store = await SqliteStateStore.OpenAsync(dir.File("state.db"));
        var outcome = await new PipelineRunner(store).RunAsync(PipelineFile.Load(dir.File("p.yaml"), parameters: new Dictionary<string, string> { ["day"] = day }));
        Assert.Equal(RunState.Succeeded, outcome.Run.State);
        return [.. outcome.Published.SelectMany(File.ReadAllLines)];
    }

    [Theory]
    [InlineData("\"day = '${params.day}'\"")] // inside a string
    [InlineData("day = ${params.day}")]       // bare: goes in as a string
    public async Task A_parameter_in_a_filter_is_compared_as_the_value_given(string filter)
    {
        using var dir = new TempDir();

        var rows = await RunAsync(dir, filter, "2024-01-02");

        Assert.Equal(["{\"id\":\"2\",\"day\":\"2024-01-02\"}"], rows);
    }

    [Theory]
    [InlineData("\"day = '${params.day}'\"", "x' or true or 'y")]
    [InlineData("day = ${params.day}", "'x' or true")]
    public async Task A_value_cannot_change_what_the_expression_means(string filter, string day)
    {
        using var dir = new TempDir();

        var rows = await RunAsync(dir, filter, day);

        Assert.Empty(rows); // "or true" would have let every row through
    }

    [Fact]
    public async Task A_quote_in_the_value_is_part_of_the_value()
    {
        using var dir = new TempDir();

        var rows = await RunAsync(dir, "day = ${params.day}", "it's");

        Assert.Equal(["{\"id\":\"3\",\"day\":\"it's\"}"], rows);
    }

    [Fact]
    public void A_parameter_not_given_is_a_problem_at_its_place()
    {
        using var dir = new TempDir();
        dir.Write("in.csv", Input);
        string file = dir.Write("p.yaml", """
            name: p
            source: { type: csv, path: in.csv }
            transforms:
              - filter: day = ${params.when}
            sink: { type: jsonl, path: out }
            """);

        var e = Assert.Throws<PipelineException>(() => PipelineFile.Load(file, parameters: new Dictionary<string, string>()));

        Assert.Contains("p.yaml:4:13: pipeline.transforms[0].filter: no parameter 'when' was given for ${params.when}", e.Message);
    }
}
