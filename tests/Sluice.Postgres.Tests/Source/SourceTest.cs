using System.Globalization;
using System.Text.Json;
using Sluice.Cli.Tests.TestSupport;
using Sluice.Postgres.Tests.TestSupport;

namespace Sluice.Postgres.Tests.Source;

/// <summary>
/// Base of the source's tests: a table <c>items</c> (id, version, ts, note) in the test's schema whose rows the tests
/// insert and update with a cursor value of their choosing (<c>ts</c>, often equal for many rows), a pipeline reading
/// it into a jsonl sink, and the (id, version) pairs the committed output holds.
/// </summary>
public abstract class SourceTest(PostgresFixture fixture) : PostgresTest(fixture)
{
    /// <summary>The cursor value of tick <paramref name="tick"/>: a microsecond apart, so that the position's text must
    /// keep microseconds for a run to go on after the right row.</summary>
    protected static string Tick(int tick) =>
        new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddTicks(tick * 10L).ToString("yyyy-MM-dd HH:mm:ss.ffffff+00", CultureInfo.InvariantCulture);

    protected Task CreateItemsAsync(string table = "items") =>
        ExecuteAsync($"CREATE TABLE {table} (id bigint PRIMARY KEY, version int NOT NULL, ts timestamptz NOT NULL, note text)");

    /// <summary>Inserts ids <paramref name="from"/> … at version 1, all with cursor tick <paramref name="tick"/>.</summary>
    protected Task InsertAsync(int from, int count, int tick, string table = "items") =>
        ExecuteAsync($"INSERT INTO {table} SELECT g, 1, '{Tick(tick)}', 'n' || g FROM generate_series({from}, {from + count - 1}) g");

    /// <summary>Moves the rows to the next version, stamped with cursor tick <paramref name="tick"/>.</summary>
    protected Task UpdateAsync(IEnumerable<long> ids, int tick, string table = "items") =>
        ExecuteAsync($"UPDATE {table} SET version = version + 1, ts = '{Tick(tick)}' WHERE id IN ({string.Join(", ", ids)})");

    /// <summary>The (id, version) pairs now in the table.</summary>
    protected async Task<HashSet<(long, long)>> VersionsAsync(string table = "items") =>
        (await RowsAsync($"SELECT id, version FROM {table}")).Select(r => ((long)r[0]!, (long)(int)r[1]!)).ToHashSet();

    /// <summary>The (id, version) pairs a run started now may read: those below the newest cursor value (rows with the
    /// newest value wait for a newer one, since more rows may still come with it).</summary>
    protected async Task<HashSet<(long, long)>> ReadableAsync(string table = "items") =>
        (await RowsAsync($"SELECT id, version FROM {table} WHERE ts < (SELECT max(ts) FROM {table})")).Select(r => ((long)r[0]!, (long)(int)r[1]!)).ToHashSet();

    /// <summary>A pipeline reading <c>items</c> by <c>cursor: [ts, id]</c> (none when <paramref name="cursor"/> is empty)
    /// into the jsonl folder <paramref name="output"/>.</summary>
    protected string ItemsPipeline(string sourceExtra = "", long everyRecords = 0, string output = "out", string file = "pipeline.yaml",
        string table = "items", string cursor = "[ts, id]", string name = "pg-items", double everySeconds = 0) =>
        Dir.Write(file, $$"""
            name: {{name}}
            source:
              type: postgres
              connection: "{{Connection}}"
              table: {{table}}
            {{(cursor.Length == 0 ? "" : $"  cursor: {cursor}")}}
            {{Indent(sourceExtra)}}
            sink: { type: jsonl, path: {{output}} }
            checkpoint: { every_records: {{everyRecords}}, every_seconds: {{everySeconds.ToString(CultureInfo.InvariantCulture)}} }
            """);

    protected static string Indent(string text) => string.Join("\n", text.Split('\n').Select(l => l.Length == 0 ? l : "  " + l));

    /// <summary>The letters <c>sluice dlq list --json</c> lists.</summary>
    protected async Task<List<JsonElement>> LettersAsync()
    {
        var list = await global::Sluice.Cli.Tests.TestSupport.Sluice.RunAsync("dlq", "list", "--state", State, "--json");
        Assert.True(list.ExitCode == 0, list.Stdout + list.Stderr);
        return JsonDocument.Parse(list.Stdout).RootElement.GetProperty("dead_letters").EnumerateArray().ToList();
    }

    protected Task<CliResult> RunAsync(string pipeline, string? state = null) =>
        global::Sluice.Cli.Tests.TestSupport.Sluice.RunAsync("run", pipeline, "--state", state ?? State);

    /// <summary>The (id, version) of every record in the committed output files, duplicates kept.</summary>
    protected List<(long Id, long Version)> Output(string folder = "out")
    {
        string path = Dir.File(folder);
        if (!Directory.Exists(path))
        {
            return [];
        }
        return Directory.EnumerateFiles(path, "*.jsonl").Order(StringComparer.Ordinal)
            .SelectMany(File.ReadAllLines)
            .Where(l => l.Length > 0)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Select(e => (e.GetProperty("id").GetInt64(), e.GetProperty("version").GetInt64()))
            .ToList();
    }

    protected static void AssertExactlyOnce(IEnumerable<(long, long)> expected, List<(long Id, long Version)> output)
    {
        var twice = output.GroupBy(r => r).Where(g => g.Count() > 1).Select(g => g.Key).Take(10).ToList();
        Assert.True(twice.Count == 0, $"read twice: {string.Join(", ", twice)}");
        var want = expected.ToHashSet();
        var missing = want.Except(output).Take(10).ToList();
        var extra = output.Except(want).Take(10).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0, $"missing: {string.Join(", ", missing)}; not expected: {string.Join(", ", extra)}");
    }

    protected static void Succeeded(CliResult result) => Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
}
