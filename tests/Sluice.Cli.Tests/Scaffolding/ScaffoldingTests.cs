using System.Globalization;
using CsCheck;
using Sluice.Cli.Scaffolding;
using Sluice.Records;
using YamlDotNet.RepresentationModel;

namespace Sluice.Cli.Tests.Scaffolding;

/// <summary>Type inference of <c>sluice init</c> and the YAML it writes.</summary>
public sealed class ScaffoldingTests
{
    private static InferredColumn Infer(params string?[] values)
    {
        var guess = new TextColumnGuess("c");
        foreach (string? value in values)
            guess.Add(value);
        return guess.Infer(values.Length);
    }

    [Theory]
    [InlineData(FieldType.Int64, null, "1", "-20", "300")]
    [InlineData(FieldType.Float64, null, "1", "2.5", "-3e2")]
    [InlineData(FieldType.Bool, null, "true", "No", "YES")]
    [InlineData(FieldType.String, null, "007", "12")] // a leading zero would be lost as a number
    [InlineData(FieldType.String, null, "0.5", "01.5")]
    [InlineData(FieldType.Date, null, "2026-01-02", "2026-12-31")]
    [InlineData(FieldType.Date, "MM/dd/yyyy", "01/02/2026", "12/31/2026")]
    [InlineData(FieldType.Date, "dd/MM/yyyy", "01/02/2026", "31/12/2026")] // a day above 12 rules month-first out
    [InlineData(FieldType.Timestamp, null, "2026-01-02T10:00:00Z", "2026-01-02 10:00", "2026-01-02T10:00:00.5+02:00")]
    [InlineData(FieldType.Timestamp, "yyyy/MM/dd HH:mm", "2001/01/01 00:47", "2001/12/31 23:59")]
    [InlineData(FieldType.String, null, "2026-01-02", "tomorrow")]
    public void Values_get_the_narrowest_type_that_reads_them_all(FieldType type, string? format, params string[] values)
    {
        InferredColumn column = Infer(values);

        Assert.Equal((type, format, true), (column.Type, column.Format, column.Required));
    }

    [Fact]
    public void A_column_with_an_empty_value_is_not_required_and_one_with_none_is_text()
    {
        Assert.Equal((FieldType.Int64, false), (Infer("1", " ", "2").Type, Infer("1", null, "2").Required));
        Assert.Equal((FieldType.String, false), (Infer("", null).Type, Infer("", null).Required));
    }

    [Fact]
    public void Any_whole_numbers_or_dates_are_inferred_as_such()
    {
        Gen.Long[-999_999_999_999, 999_999_999_999].Array[1, 30].Sample(values =>
            Infer([.. values.Select(v => v.ToString(CultureInfo.InvariantCulture))]).Type == FieldType.Int64);
        Gen.Int[new DateOnly(1900, 1, 1).DayNumber, new DateOnly(2100, 1, 1).DayNumber].Array[1, 30].Sample(days =>
            Infer([.. days.Select(d => DateOnly.FromDayNumber(d).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))]).Type == FieldType.Date);
    }

    [Fact]
    public void Any_column_name_reads_back_from_the_yaml_as_itself()
    {
        Gen.String[Gen.Char.Where(c => !char.IsSurrogate(c)), 1, 20].Array[1, 4].Sample(names =>
        {
            string[] distinct = [.. names.Distinct()];
            var sample = new DataSample("csv", ',', [.. distinct.Select(n => new InferredColumn(n, FieldType.String, null, null, false))], 1);
            var yaml = new YamlStream();
            yaml.Load(new StringReader(PipelineScaffold.Render(sample, "data/a b.csv", "a", "pipeline.yaml")));
            var root = (YamlMappingNode)yaml.Documents[0].RootNode;
            var fields = (YamlMappingNode)((YamlMappingNode)root["contract"])["fields"];
            return fields.Children.Keys.Select(k => ((YamlScalarNode)k).Value).SequenceEqual(distinct)
                && ((YamlScalarNode)((YamlMappingNode)root["source"])["path"]).Value == "data/a b.csv";
        });
    }
}
