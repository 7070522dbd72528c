using Sluice.Configuration;
using Sluice.Pipelines;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Configuration;

/// <summary>
/// A pipeline file is checked in one pass: problems of the shape, of binding options and of type-checking are all
/// reported together; only the stages whose input columns are unknown (after a broken stage) are skipped.
/// </summary>
public sealed class OnePassTests : IDisposable
{
    private readonly TempDir _dir = new();

    public OnePassTests() => _dir.Write("data/a.csv", "id,name,amount\n1,a,3\n");

    public void Dispose() => _dir.Dispose();

    private string[] Problems(string yaml)
    {
        string path = _dir.Write("p.yaml", yaml);
        var e = Assert.Throws<PipelineException>(() => PipelineFile.Load(path));
        return e.Diagnostics.Select(d => $"{d.Location?.Line}:{d.Location?.Column} {d.Message}").ToArray();
    }

    [Fact]
    public void A_contract_with_a_bad_rule_still_gives_its_columns_to_the_stages_after_it()
    {
        var problems = Problems("""
            name: p
            source: { type: csv, path: data/*.csv }
            contract:
              fields:
                id: { type: int64, max: ten, pattern: "(" }
                amount: { type: int64 }
            transforms:
              - filter: amount > 'x'
            sink: { type: jsonl, path: out }
            """);

        Assert.Equal(3, problems.Length);
        Assert.Contains(problems, p => p.StartsWith("5:29 max 'ten'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("5:43 ", StringComparison.Ordinal) && p.Contains("bad regex"));
        Assert.Contains(problems, p => p.StartsWith("8:20 filter: cannot compare int64 with string", StringComparison.Ordinal));
    }

    [Fact]
    public void Stages_after_a_contract_whose_types_are_unknown_are_skipped_but_the_others_are_checked()
    {
        var problems = Problems("""
            name: p
            stages:
              - name: read
                source: { type: csv, path: data/*.csv }
              - name: typed
                contract: { fields: { id: { type: int65 } } }
              - name: wide
                filter: id > 0
              - name: raw
                from: read
                filter: nope = 'a'
              - name: out
                from: [wide, raw]
                sink: { type: jsonl, path: out }
            """);

        Assert.Equal(2, problems.Length);
        Assert.StartsWith("6:39 ", problems[0]);
        Assert.Contains("expected one of", problems[0]);
        Assert.StartsWith("11:13 filter: unknown column 'nope'", problems[1]);
    }

    [Fact]
    public void A_transform_with_an_unknown_key_still_passes_its_columns_on_and_the_chain_keeps_its_order()
    {
        var problems = Problems("""
            name: p
            source: { type: csv, path: data/*.csv }
            transforms:
              - filter: name = 'a'
              - dedupe: { key: [id], nonsense: 1, within: [] }
              - filter: amout = '1'
            sink: { type: jsonl, path: out }
            """);

        Assert.Contains(problems, p => p.StartsWith("5:26 ", StringComparison.Ordinal) && p.Contains("unknown key 'nonsense'"));
        Assert.Contains(problems, p => p.StartsWith("6:13 filter: unknown column 'amout'; did you mean 'amount'?", StringComparison.Ordinal));
    }

    [Fact]
    public void A_filter_that_does_not_compile_still_passes_its_columns_on()
    {
        var problems = Problems("""
            name: p
            source: { type: csv, path: data/*.csv }
            transforms:
              - filter: idd = '1'
              - derive: { n: name + 1 }
            sink: { type: jsonl, path: out }
            """);

        Assert.Equal(["4:13 filter: unknown column 'idd'; did you mean 'id'?; columns are: id, name, amount",
            "5:18 derive 'n': '+' needs numbers but 'name' is string; use || to join strings"], problems);
    }
}
