using System.Diagnostics;
using System.Globalization;
using Sluice.FlowBench;

// One contender of bench/flows.sh per process, so its peak memory is its own. Prints "SECONDS STATE_CHANGES": the
// wall time from opening the state file to the run's end (process start-up excluded, since a flow runs in a process
// that is already up) and the task state changes found in the state file afterwards.
const string Usage = """
    usage: FlowBench independent|mapped|chain|hand N STATE_FILE
      independent   a flow of N tasks with no dependencies (default max_parallel)
      mapped        a flow of one task mapped over N items
      chain         a flow of N tasks, each depending on the one before
      hand          the floor: a plain loop committing each of N tasks' state changes to SQLite itself
    """;

if (args is not [var kind, var countText, var stateFile] || !int.TryParse(countText, CultureInfo.InvariantCulture, out int count) || count < 1)
{
    Console.Error.WriteLine(Usage);
    return 2;
}
var clock = Stopwatch.StartNew();
long changes = kind switch
{
    "independent" => await FlowShapes.RunAsync(FlowShapes.Independent(count), stateFile),
    "mapped" => await FlowShapes.RunAsync(FlowShapes.Mapped(count), stateFile),
    "chain" => await FlowShapes.RunAsync(FlowShapes.Chain(count), stateFile),
    "hand" => await HandLoop.RunAsync(count, stateFile),
    _ => -1,
};
if (changes < 0)
{
    Console.Error.WriteLine(Usage);
    return 2;
}
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{clock.Elapsed.TotalSeconds:F3} {changes}"));
return 0;
