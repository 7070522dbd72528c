using Sluice.Configuration;
using Sluice.Connectors.Csv;
using Sluice.Pipelines;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Connectors.Csv;

public class CsvSourceOptionsTests
{
    private static readonly SourceLocation At = new("p.yaml", 3, 3);

    private static ConfigNode Node(params (string Key, string Value, int Line)[] entries) =>
        ConfigNode.Map(At, entries
            .Select(e => KeyValuePair.Create(e.Key, ConfigNode.Scalar(new SourceLocation("p.yaml", e.Line, 14), e.Value)))
            .ToList());

    [Fact]
    public void Spec_declares_every_option()
    {
        var spec = CsvSourceOptions.Spec;

        Assert.Equal(("csv", StageKind.Source), (spec.Name, spec.Kind));
        var shape = Assert.IsType<ObjectShape>(spec.Shape);
        Assert.Equal(["path", "exclude", "delimiter", "quote", "header", "max_record_bytes", "compression", "encoding", "on_unreadable_file",
            "on_changed_file", "duplicate_columns"], shape.Options.Select(o => o.Name));
        Assert.True(shape.Find("path")!.Required);
        Assert.Equal(("data/*.csv", ",", "\"", "true", "1048576"),
            (shape.Find("path")!.Example, shape.Find("delimiter")!.Default, shape.Find("quote")!.Default,
                shape.Find("header")!.Default, shape.Find("max_record_bytes")!.Default));
    }

    [Fact]
    public void Binds_all_options()
    {
        var options = (CsvSourceOptions)CsvSourceOptions.Spec.Bind(
            Node(("path", "in/*.csv", 4), ("delimiter", "\t", 5), ("quote", "'", 6), ("header", "false", 7), ("max_record_bytes", "4096", 8)));

        Assert.Equal(new CsvSourceOptions { Path = "in/*.csv", Delimiter = '\t', Quote = '\'', Header = false, MaxRecordBytes = 4096 }, options);
    }

    [Fact]
    public void Defaults_apply_when_keys_are_absent()
    {
        var options = (CsvSourceOptions)CsvSourceOptions.Spec.Bind(Node(("path", "a.csv", 4)));

        Assert.Equal(new CsvSourceOptions { Path = "a.csv" }, options);
    }

    [Fact]
    public void Every_bad_option_is_reported_where_it_is_written()
    {
        var error = Assert.Throws<PipelineException>(() => CsvSourceOptions.Spec.Bind(
            Node(("path", "a.csv", 4), ("delimiter", ";;", 5), ("quote", "\u00AB", 6), ("max_record_bytes", "0", 7))));

        Assert.Equal([5, 6, 7], error.Diagnostics.Select(d => d.Location!.Line));
        Assert.Contains("delimiter must be exactly one character, not ';;'; write e.g. delimiter: \";\"", error.Diagnostics[0].Message);
        Assert.Contains("quote must be one ASCII character", error.Diagnostics[1].Message);
        Assert.Contains("max_record_bytes must be between 1 and", error.Diagnostics[2].Message);
    }

    [Fact]
    public void Same_delimiter_and_quote_is_refused_when_the_source_is_created()
    {
        using var dir = new TempDir();
        dir.Write("a.csv", "a\n");

        var error = Assert.Throws<PipelineException>(() =>
            new CsvSourceOptions { Path = "a.csv", Quote = ',' }.CreateSource(new BuildContext(dir.Path, "run-1")));

        Assert.Contains("delimiter and quote are both ','", error.Message);
    }
}
