using System.Globalization;
using Apache.Arrow;
using Sluice.Configuration;
using Sluice.Execution;
using Sluice.State;
using Sluice.Tests.Examples;
using Sluice.Tests.TestSupport;
using TypedFlights;

namespace Sluice.Tests.TypedPipelines;

/// <summary>examples/typed-flights against examples/flights/pipeline.yaml on the same data: the same counts, the
/// same Parquet rows in the same order, the same dead letters.</summary>
public sealed class TypedFlightsTests : StateStoreTest
{
    public override async Task InitializeAsync()
    {
        FlightsExample.CopyTo(Dir.Path);
        await base.InitializeAsync();
    }

    [Fact]
    public async Task The_typed_pipeline_writes_the_rows_the_yaml_pipeline_writes_and_dead_letters_the_same_records()
    {
        var yaml = await new PipelineRunner(Store).RunAsync(PipelineFile.Load(Dir.File("pipeline.yaml")));
        var typed = await new PipelineRunner(Store).RunAsync(FlightsPipeline.Build(Dir.File("data"), Dir.File("typed-out")));

        Assert.Equal(RunState.Succeeded, typed.Run.State);
        Assert.Equal((20_060, 20_014, 5, 41), (typed.Run.RecordsRead, typed.Run.RecordsWritten, typed.Run.Filtered, typed.Run.DeadLettered));
        Assert.Equal((yaml.Run.RecordsRead, yaml.Run.RecordsWritten, yaml.Run.Filtered, yaml.Run.DeadLettered),
            (typed.Run.RecordsRead, typed.Run.RecordsWritten, typed.Run.Filtered, typed.Run.DeadLettered));

        var yamlRows = Rows(FlightsExample.ReadParquet(yaml.Published));
        var typedBatches = FlightsExample.ReadParquet(typed.Published);
        Assert.Equal(["date", "delay", "distance", "route", "late"], typedBatches[0].Schema.FieldsList.Select(f => f.Name));
        Assert.Equal(20_014, yamlRows.Count);
        Assert.Equal(yamlRows, Rows(typedBatches));

        Assert.Equal(await Letters(yaml), await Letters(typed));
    }

    private static List<string> Rows(List<RecordBatch> batches) => batches.SelectMany(b => Enumerable.Range(0, b.Length).Select(i => string.Join("|",
        ((TimestampArray)b.Column(0)).Values[i],
        ((Int64Array)b.Column(1)).GetValue(i)?.ToString(CultureInfo.InvariantCulture) ?? "null",
        ((Int64Array)b.Column(2)).GetValue(i),
        ((StringArray)b.Column(3)).GetString(i),
        ((BooleanArray)b.Column(4)).GetValue(i)?.ToString() ?? "null"))).ToList();

    private async Task<List<string>> Letters(RunOutcome run) =>
        (await Store.ListDeadLettersAsync(new DeadLetterQuery(RunId: run.Run.Id, Limit: 1000) { OldestFirst = true }))
        .Select(l => $"{Path.GetFileName(l.File)}:{l.Line} {l.Reason} {l.Rule} {l.Field} {Convert.ToHexString(l.Original)}").ToList();
}
