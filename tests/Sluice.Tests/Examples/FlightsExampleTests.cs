using System.Globalization;
using Apache.Arrow;
using Sluice.Configuration;
using Sluice.DeadLetters;
using Sluice.Execution;
using Sluice.State;
using Sluice.State.Sqlite;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Examples;

/// <summary>The README's example, end to end: real data in, Parquet out, read back with ParquetSharp and checked
/// against an independent computation; every broken row dead-lettered as its manifest says.</summary>
public sealed class FlightsExampleTests : StateStoreTest
{
    protected override string StatePath => ".sluice/state.db";

    public override async Task InitializeAsync()
    {
        FlightsExample.CopyTo(Dir.Path);
        await base.InitializeAsync();
    }

    [Fact]
    public async Task The_example_writes_every_valid_flight_once_and_the_parquet_matches_an_independent_computation()
    {
        var outcome = await new PipelineRunner(Store).RunAsync(PipelineFile.Load(Dir.File("pipeline.yaml")));

        var expected = FlightsExample.ValidFlights().Where(f => f.Distance > 0).ToList();
        Assert.Equal(RunState.Succeeded, outcome.Run.State);
        Assert.Equal(expected.Count, outcome.Run.RecordsWritten);

        var batches = FlightsExample.ReadParquet(outcome.Published);
        Assert.Equal(["date", "delay", "distance", "route", "late"], batches[0].Schema.FieldsList.Select(f => f.Name));
        Assert.Equal(expected.Count, batches.Sum(b => b.Length));
        var actualRows = batches.SelectMany(b => Enumerable.Range(0, b.Length).Select(i => string.Join("|",
            ((TimestampArray)b.Column(0)).Values[i],
            ((Int64Array)b.Column(1)).GetValue(i)?.ToString(CultureInfo.InvariantCulture) ?? "null",
            ((Int64Array)b.Column(2)).GetValue(i),
            ((StringArray)b.Column(3)).GetString(i),
            ((BooleanArray)b.Column(4)).GetValue(i)?.ToString() ?? "null")));
        var expectedRows = expected.Select(f => string.Join("|",
            f.DateMicros,
            f.Delay?.ToString(CultureInfo.InvariantCulture) ?? "null",
            f.Distance,
            $"{f.Origin}-{f.Destination}",
            f.Delay is null ? "null" : (f.Delay > 15).ToString()));
        Assert.Equal(FlightsExample.Checksum(expectedRows), FlightsExample.Checksum(actualRows));
    }

    [Fact]
    public async Task Every_broken_row_is_dead_lettered_with_its_reason_rule_and_original_bytes()
    {
        var outcome = await new PipelineRunner(Store).RunAsync(PipelineFile.Load(Dir.File("pipeline.yaml")));
        var manifest = FlightsExample.Manifest();
        var raw = FlightsExample.RawLines("flights-broken.csv");

        var letters = await Store.ListDeadLettersAsync(new DeadLetterQuery(RunId: outcome.Run.Id, Limit: 10_000));

        var expected = manifest.Where(m => m.Outcome is "parse" or "contract")
            .Select(m => (m.Line, m.Outcome, m.Rule, m.Field)).OrderBy(m => m.Line);
        var actual = letters.Select(l => ((int)l.Line, l.Reason.Code(), l.Rule ?? "", l.Field ?? "")).OrderBy(l => l.Item1);
        Assert.Equal(expected, actual);
        Assert.All(letters, l => Assert.Equal(raw[(int)l.Line - 1], l.Original));
        Assert.All(letters, l => Assert.EndsWith("flights-broken.csv", l.File));
        Assert.Equal(manifest.Count(m => m.Outcome == "filtered"), outcome.Run.Filtered);
        Assert.All(outcome.Stages, s => Assert.Equal(s.In, s.Out + s.DeadLettered + s.Filtered));
        Assert.Equal(outcome.Run.RecordsRead, outcome.Run.RecordsWritten + outcome.Run.DeadLettered + outcome.Run.Filtered);
    }

    [Fact]
    public async Task The_fan_out_example_feeds_both_sinks_from_one_read()
    {
        var outcome = await new PipelineRunner(Store).RunAsync(PipelineFile.Load(Dir.File("fanout.yaml")));

        var valid = FlightsExample.ValidFlights();
        Assert.Equal(RunState.Succeeded, outcome.Run.State);
        var all = outcome.Published.Where(p => p.EndsWith(".parquet")).ToList();
        var late = outcome.Published.Where(p => p.EndsWith(".jsonl")).ToList();
        Assert.Equal(valid.Count, FlightsExample.ReadParquet(all).Sum(b => b.Length));
        Assert.Equal(valid.Count(f => f.Delay > 60), late.Sum(f => File.ReadAllLines(f).Length));
        Assert.Equal(valid.Count + valid.Count(f => f.Delay > 60), outcome.Run.RecordsWritten);
    }

    [Fact]
    public async Task The_same_pipeline_built_in_csharp_gives_the_same_result()
    {
        var fromYaml = PipelineFile.Load(Dir.File("pipeline.yaml"));
        var inCode = new PipelineDefinition("flights-in-code", [
            new("source", new CsvSourceOptions { Path = "data/*.csv" }, []),
            new("contract", new ContractOptions
            {
                Fields =
                [
                    new("date", FieldType.Timestamp) { Required = true, Format = "yyyy/MM/dd HH:mm" },
                    new("delay", FieldType.Int64) { Min = -120, Max = 3000 },
                    new("distance", FieldType.Int64) { Required = true, Min = 0 },
                    new("origin", FieldType.String) { Required = true, Pattern = new("^[A-Z]{3}$") },
                    new("destination", FieldType.String) { Required = true, Pattern = new("^[A-Z]{3}$") },
                ],
            }, ["source"]),
            new("filter", new FilterOptions("distance > 0"), ["contract"]),
            new("sink", new ParquetSinkOptions { Path = "out/in-code" }, ["filter"]),
        ]) { BaseDirectory = Dir.Path, DeadLetter = fromYaml.DeadLetter };

        var outcome = await new PipelineRunner(Store).RunAsync(inCode);

        Assert.Equal(RunState.Succeeded, outcome.Run.State);
        Assert.Equal(FlightsExample.ValidFlights().Count(f => f.Distance > 0), outcome.Run.RecordsWritten);
        Assert.Equal(FlightsExample.Manifest().Count(m => m.Outcome is "parse" or "contract"), outcome.Run.DeadLettered);
    }
}
