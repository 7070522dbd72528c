using System.Text.RegularExpressions;
using Sluice.Configuration;
using Sluice.Contracts;
using Sluice.DeadLetters;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.Records;
using Sluice.State;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Contracts;

/// <summary>
/// A contract pattern can never stall or fail a run: it is matched in linear time, so a value built to make a
/// backtracking engine explode (<c>aaaa…a!</c> under <c>^(a+)+$</c>) gets its verdict at once and is that record's
/// dead letter, while the good records are published; patterns that need backtracking are refused before the run.
/// </summary>
public sealed class HostilePatternTests : StateStoreTest
{
    private static string Yaml(string pattern) => $$"""
        name: hostile
        source: { type: csv, path: "in.csv" }
        contract:
          fields:
            id: { type: int64, required: true }
            word: { type: string, pattern: '{{pattern}}' }
        sink: { type: jsonl, path: out }
        """;

    [Fact]
    public async Task A_catastrophic_backtracking_pattern_costs_only_the_hostile_value()
    {
        string hostile = new string('a', 5_000) + "!";
        Dir.Write("in.csv", $"id,word\n1,aaa\n2,{hostile}\n3,a\n4,b\n");
        var pipeline = PipelineFile.Parse(Dir.Write("p.yaml", Yaml("^(a+)+$"))) with { BaseDirectory = Dir.Path };

        var outcome = await new PipelineRunner(Store).RunAsync(pipeline);

        Assert.Equal(RunState.Succeeded, outcome.Run.State);
        Assert.Equal([1L, 3L], JsonlOutput.Ids(Dir.File("out")).Order());
        var letters = await Store.ListDeadLettersAsync(new DeadLetterQuery(RunId: outcome.Run.Id));
        Assert.Equal([(3L, "pattern"), (5L, "pattern")], letters.Select(l => (l.Line, l.Rule!)).Order());
        Assert.All(letters, l => Assert.Equal(DeadLetterReason.Contract, l.Reason));
        Assert.Equal(0, outcome.Stages.Sum(s => s.Retries));
    }

    [Theory]
    [InlineData("^(?=a)a$", "positive lookahead")]
    [InlineData(@"^(a)\1$", "backreference")]
    [InlineData("^(?>a+)$", "atomic")]
    [InlineData("^(a{1000}){1000}$", "larger than the configured limit")]
    public void A_pattern_that_needs_backtracking_is_refused_where_it_is_written(string pattern, string construct)
    {
        var error = Assert.Throws<PipelineException>(() => PipelineFile.Parse(Dir.Write("p.yaml", Yaml(pattern))));

        // The other problem of this file (its input does not exist) is reported in the same pass.
        var problem = Assert.Single(error.Diagnostics, d => d.Message.Contains("linear time", StringComparison.Ordinal));
        Assert.Equal((6, 36), (problem.Location!.Line, problem.Location.Column));
        Assert.Contains($"pattern '{pattern}' cannot be matched in linear time", problem.Message);
        Assert.Contains(construct, problem.Message);
    }

    [Fact]
    public void A_backtracking_Regex_given_in_CSharp_is_matched_on_the_linear_engine_or_refused()
    {
        var field = new FieldContract("word", FieldType.String) { Pattern = new Regex("^(a+)+$", RegexOptions.Compiled, TimeSpan.FromMilliseconds(1)) };
        var batch = ContractTestBatches.Text(("word", ["aaa", new string('a', 50_000) + "!"]));
        var stage = new ContractOptions { Fields = [field] }.CreateTransform(batch.Schema, new BuildContext(".", "run-1"));
        var letters = new CollectingDeadLetters();

        var output = stage.Apply(batch, letters.Context("contract", StageKind.Contract));

        Assert.Equal(1, output!.Length);
        Assert.Equal("pattern", Assert.Single(letters.Letters).Rule);
        var refused = Assert.Throws<PipelineException>(() => new ContractOptions { Fields = [field with { Pattern = new Regex(@"(a)\1") }] }
            .CreateTransform(batch.Schema, new BuildContext(".", "run-1")));
        Assert.Contains("field 'word': pattern '(a)\\1' cannot be matched in linear time: it uses 'backreference", refused.Message);
    }

    [Fact]
    public void A_regex_timeout_is_never_transient() =>
        Assert.False(RetryOn.Default.Matches(new RegexMatchTimeoutException("x", "^(a+)+$", TimeSpan.FromSeconds(1))));
}
