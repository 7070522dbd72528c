using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Sluice;
using Sluice.DashboardData;

// dotnet run -c Release --project bench/DashboardData -- --runs N --letters N --out FILE
// Makes FILE anew (a state file of the engine's own schema) holding about N runs and exactly N dead letters, prints
// how long the fill took, then reads the file back through SqliteStateStore and exits 1 if it disagrees.
var options = new Dictionary<string, string>();
for (int i = 0; i + 1 < args.Length && args[i].StartsWith("--", StringComparison.Ordinal); i += 2)
    options[args[i][2..]] = args[i + 1];
if (!options.TryGetValue("out", out var path) || options.Keys.Except(["runs", "letters", "out"]).Any() || args.Length % 2 != 0)
{
    Console.Error.WriteLine("usage: DashboardData --runs N --letters N --out FILE   (defaults: 100000 runs, 1000000 letters)");
    return 2;
}
int runs = int.Parse(options.GetValueOrDefault("runs", "100000"), CultureInfo.InvariantCulture);
long letters = long.Parse(options.GetValueOrDefault("letters", "1000000"), CultureInfo.InvariantCulture);
path = Path.GetFullPath(path);

var clock = Stopwatch.StartNew();
foreach (var file in new[] { path, path + "-wal", path + "-shm" })
    File.Delete(file);
// The engine makes the schema: its migrations, exactly as a first `sluice run` with this state file would.
await (await SqliteStateStore.OpenAsync(path)).DisposeAsync();

var random = new Random(15);
var (plannedRuns, flows) = Plan.Make(runs, letters, random);
Dictionary<(string Pipeline, string Reason), long> lettersBy;
await using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
{
    connection.Open();
    // Nothing else has the file open while it is filled, and a crash only means filling it again: no fsync.
    Execute(connection, "PRAGMA synchronous = OFF; PRAGMA cache_size = -262144;");
    var writer = new Writer(connection, random);
    var flowOf = flows.ToDictionary(flow => flow.Run.Id);
    // Plain BEGIN/COMMIT, not BeginTransaction: the writer's prepared commands are reused across transactions.
    for (int start = 0; start < plannedRuns.Count; start += 5_000)
    {
        Execute(connection, "BEGIN IMMEDIATE");
        foreach (var run in plannedRuns.Skip(start).Take(5_000))
        {
            writer.Run(run);
            if (flowOf.TryGetValue(run.Id, out var flow))
                writer.Flow(flow);
        }
        Execute(connection, "COMMIT");
    }
    // Each pipeline's lease as its last run left it: one epoch per run, expired.
    Execute(connection, """
        INSERT INTO leases (pipeline, holder, epoch, expires_at)
        SELECT CASE kind WHEN 'flow' THEN 'flow:' || pipeline ELSE pipeline END, 'worker-1:4242:5d1c9a07', count(*), max(coalesce(ended_at, started_at))
        FROM runs GROUP BY CASE kind WHEN 'flow' THEN 'flow:' || pipeline ELSE pipeline END
        """);
    Execute(connection, "PRAGMA wal_checkpoint(TRUNCATE)");
    lettersBy = writer.LettersBy;
}
double seconds = clock.Elapsed.TotalSeconds;
long bytes = new FileInfo(path).Length;
Console.WriteLine(FormattableString.Invariant(
    $"filled {path}: {plannedRuns.Count:N0} runs ({flows.Count:N0} flow runs), {lettersBy.Values.Sum():N0} dead letters in {seconds:0.0} s; {bytes / 1e6:0} MB"));
var problems = await Check.FileAsync(path, plannedRuns, lettersBy);
foreach (var problem in problems)
    Console.Error.WriteLine("check: " + problem);
return problems.Count == 0 ? 0 : 1;

static void Execute(SqliteConnection connection, string sql)
{
    using var command = connection.CreateCommand();
    command.CommandText = sql;
    command.ExecuteNonQuery();
}
