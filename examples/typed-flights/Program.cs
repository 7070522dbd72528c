using Sluice;
using TypedFlights;

// typed-flights DATA OUT [STATE]: cleans the flights CSV files in DATA into Parquet in OUT, keeping runs,
// checkpoints and dead letters in STATE (default: .sluice/state.db under DATA). A run that crashed resumes from its
// last checkpoint. Exit codes as the sluice CLI's: 0 ok, 1 the run failed, 2 bad usage, 3 the quality gate broke,
// 130 stopped by Ctrl-C or SIGTERM.
// typed-flights --bench CSV OUT [STATE]: the benchmark's job instead (see BenchJob), for bench/typed.sh.
// --checkpoint-every N: a checkpoint every N records read instead of every million (the crash test uses it).
bool bench = false;
long? checkpointEvery = null;
var positional = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--bench")
    {
        bench = true;
    }
    else if (args[i] == "--checkpoint-every" && i + 1 < args.Length && long.TryParse(args[i + 1], out long every) && every > 0)
    {
        checkpointEvery = every;
        i++;
    }
    else if (args[i].StartsWith("--", StringComparison.Ordinal))
    {
        positional.Clear(); // an unknown option, or --checkpoint-every without a positive number: show the usage
        break;
    }
    else
    {
        positional.Add(args[i]);
    }
}
args = [.. positional];
if (args.Length is < 2 or > 3)
{
    Console.Error.WriteLine("usage: typed-flights [--bench] [--checkpoint-every N] DATA-FOLDER OUTPUT-FOLDER [STATE-FILE]");
    return 2;
}
string data = Path.GetFullPath(args[0]);
string statePath = Path.GetFullPath(args.Length == 3 ? args[2] : Path.Combine(bench ? Path.GetDirectoryName(data)! : data, ".sluice", "state.db"));
Directory.CreateDirectory(Path.GetDirectoryName(statePath)!);

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
using var terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, s =>
{
    s.Cancel = true;
    stop.Cancel();
});

await using var store = await SqliteStateStore.OpenAsync(statePath);
RunOutcome outcome;
try
{
    var pipeline = bench ? BenchJob.Build(data, args[1]) : FlightsPipeline.Build(data, args[1]);
    if (checkpointEvery is { } records)
    {
        pipeline = pipeline.With(p => p with { Checkpoint = new(EveryRecords: records) });
    }
    outcome = await new PipelineRunner(store).RunAsync(pipeline, stop.Token);
}
catch (PipelineException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}
var run = outcome.Run;
Console.WriteLine($"{run.State}: {run.RecordsRead} read, {run.RecordsWritten} written, {run.Filtered} filtered, {run.DeadLettered} dead-lettered");
if (outcome.Error is { } error)
{
    Console.Error.WriteLine($"error: {error}");
}
return run.State switch
{
    RunState.Succeeded => 0,
    RunState.QualityGateFailed => 3,
    RunState.Cancelled or RunState.Stopped => 130,
    _ => 1,
};
