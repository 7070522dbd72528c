using System.Text.Json;
using Sluice.Postgres.Tests.TestSupport;

namespace Sluice.Postgres.Tests.Source;

/// <summary>Values that do not fit become dead letters with the row as JSON, never a failed run; replay after the
/// contract is fixed writes them.</summary>
public sealed class DeadLetterTests(PostgresFixture fixture) : SourceTest(fixture)
{
    private string ThingsPipeline(string qtyType) => Dir.Write("pipeline.yaml", $$"""
        name: pg-things
        source:
          type: postgres
          connection: "{{Connection}}"
          table: things
          cursor: [ts, id]
          batch_size: 2
        contract:
          fields:
            id: { type: int64, required: true }
            qty: { type: {{qtyType}} }
            price: { type: decimal, scale: 2 }
            at: { type: timestamp }
        sink: { type: jsonl, path: out }
        """);

    private List<long> OutputIds() => Directory.Exists(Dir.File("out"))
        ? Directory.EnumerateFiles(Dir.File("out"), "*.jsonl").SelectMany(File.ReadAllLines).Where(l => l.Length > 0)
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetInt64()).Order().ToList()
        : [];

    [Fact]
    public async Task Values_that_do_not_fit_are_dead_letters_with_the_row_as_json_and_replay_writes_them_once_the_contract_is_fixed()
    {
        await ExecuteAsync("CREATE TABLE things (id bigint PRIMARY KEY, ts timestamptz NOT NULL, qty text, price numeric(10,2), at timestamptz, extra jsonb)");
        await ExecuteAsync($"""
            INSERT INTO things VALUES
              (1, '{Tick(1)}', '5', 1.50, '2026-03-01 10:00:00.123456+00', '{"{"}"a": 1{"}"}'),
              (2, '{Tick(1)}', 'five', 2.00, '2026-03-01 10:00:00+00', null),
              (3, '{Tick(1)}', '7', 'NaN', '2026-03-01 10:00:00+00', null),
              (4, '{Tick(1)}', '8', 3.25, 'infinity', null),
              (5, '{Tick(1)}', '9', 4.00, '2026-03-01 10:00:00+00', null),
              (6, '{Tick(2)}', '1', 1.00, '2026-03-01 10:00:00+00', null)
            """); // 6 has the newest cursor value: it waits for a newer one
        string pipeline = ThingsPipeline("int64");

        var run = await RunAsync(pipeline);

        Succeeded(run);
        Assert.Equal([1, 5], OutputIds());
        var all = await LettersAsync();
        Assert.Equal(3, all.Count);
        string listed = string.Join("\n", all.Select(l => l.GetRawText()));
        Assert.Contains("\"out_of_range\"", listed); // NaN and infinity, at the source
        Assert.Contains($"{Schema}.things", listed);
        Assert.Contains($"({Tick(1)}, 4)", listed); // the origin: the table and the row's cursor
        var shown = await global::Sluice.Cli.Tests.TestSupport.Sluice.RunAsync("dlq", "list", "--state", State);
        Assert.Contains($"{Schema}.things:({Tick(1)}, 2)", shown.Stdout);

        // The fix: qty is text. Replay reads the letters' rows back; NaN and infinity still do not fit.
        ThingsPipeline("string");
        var replay = await global::Sluice.Cli.Tests.TestSupport.Sluice.RunAsync("dlq", "replay", "--pipeline", pipeline, "--state", State);

        Assert.True(replay.ExitCode is 0 or 3, replay.Stdout + replay.Stderr);
        Assert.Equal([1, 2, 5], OutputIds());
        Assert.Equal(2, (await LettersAsync()).Count);
        var row2 = Directory.EnumerateFiles(Dir.File("out"), "*.jsonl").SelectMany(File.ReadAllLines)
            .Select(l => JsonDocument.Parse(l).RootElement).Single(e => e.GetProperty("id").GetInt64() == 2);
        Assert.Equal("five", row2.GetProperty("qty").GetString());
    }

    [Fact]
    public async Task Every_type_round_trips_through_a_dead_letter_exactly()
    {
        await ExecuteAsync("""
            CREATE TABLE typed (id bigint PRIMARY KEY, ts timestamptz NOT NULL, b boolean, i2 smallint, i4 integer, f4 real, f8 double precision,
              n numeric(28,6), wide numeric, d date, t timestamp, tz timestamptz, v varchar(10), c char(3), u uuid, j jsonb, iv interval, arr int[], reject text)
            """);
        await ExecuteAsync($"""
            INSERT INTO typed VALUES
              (1, '{Tick(1)}', true, -32768, 2147483647, 1.5, 'NaN', 1234567890123456789012.123456, 123456789012345678901234567890.123456789,
               '0001-01-01', '9999-12-31 23:59:59.999999', '2026-05-01 10:00:00.000001+02', 'vé', 'ab', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
               '{"{"}"k": [1, 2]{"}"}', '1 day 02:03:04', '{"{"}1,2,3{"}"}', 'x'),
              (2, '{Tick(2)}', null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null)
            """);
        string pipeline = Dir.Write("typed.yaml", $$"""
            name: pg-typed
            source: { type: postgres, connection: "{{Connection}}", table: typed, cursor: [ts, id] }
            contract:
              unknown_fields: keep
              fields:
                reject: { type: int64 }
            sink: { type: jsonl, path: typed }
            """);

        Succeeded(await RunAsync(pipeline));
        var letter = Assert.Single(await LettersAsync());
        Assert.Equal("type", letter.GetProperty("rule").GetString());

        // Replayed with the contract fixed, the row is written with every value as it was.
        File.WriteAllText(pipeline, File.ReadAllText(pipeline).Replace("type: int64", "type: string", StringComparison.Ordinal));
        var replay = await global::Sluice.Cli.Tests.TestSupport.Sluice.RunAsync("dlq", "replay", "--pipeline", pipeline, "--state", State);
        Assert.True(replay.ExitCode == 0, replay.Stdout + replay.Stderr);
        var row = JsonDocument.Parse(Directory.EnumerateFiles(Dir.File("typed"), "*.jsonl").SelectMany(File.ReadAllLines).Single()).RootElement;
        Assert.True(row.GetProperty("b").GetBoolean());
        Assert.Equal(-32768, row.GetProperty("i2").GetInt64());
        Assert.Equal(2147483647, row.GetProperty("i4").GetInt64());
        Assert.Equal(1.5, row.GetProperty("f4").GetDouble());
        Assert.Equal("0001-01-01", row.GetProperty("d").GetString()![..10]);
        Assert.StartsWith("9999-12-31T23:59:59.999999", row.GetProperty("t").GetString());
        Assert.StartsWith("2026-05-01T08:00:00.000001", row.GetProperty("tz").GetString());
        Assert.Equal("vé", row.GetProperty("v").GetString());
        Assert.Equal("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", row.GetProperty("u").GetString());
        Assert.Equal("1 day 02:03:04", row.GetProperty("iv").GetString());
        Assert.Equal("{1,2,3}", row.GetProperty("arr").GetString());
        Assert.Equal("x", row.GetProperty("reject").GetString());
        Assert.Equal("1234567890123456789012.123456", row.GetProperty("n").GetRawText().Trim('"'));
        Assert.Equal("123456789012345678901234567890.123456789", row.GetProperty("wide").GetString());
        Assert.Equal("ab ", row.GetProperty("c").GetString());
        Assert.Equal("{\"k\": [1, 2]}", row.GetProperty("j").GetString());
    }
}
