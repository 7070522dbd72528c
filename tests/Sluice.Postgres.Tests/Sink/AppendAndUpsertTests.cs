using Sluice.Postgres.Tests.TestSupport;

namespace Sluice.Postgres.Tests.Sink;

/// <summary>The postgres sink through <c>sluice run</c>: what lands in the table, read back with Npgsql.</summary>
public sealed class AppendAndUpsertTests(PostgresFixture fixture) : PostgresTest(fixture)
{
    [Fact]
    public async Task A_csv_pipeline_appends_every_record_once_and_a_rerun_adds_only_new_files()
    {
        await ExecuteAsync("CREATE TABLE orders (id bigint PRIMARY KEY, customer text NOT NULL, amount numeric(12,2), placed timestamptz, loaded_at timestamptz DEFAULT now())");
        Dir.Write("in/1.csv", Orders(1, 2_500));
        Dir.Write("in/2.csv", Orders(2_501, 2_500));
        string pipeline = Pipeline($$"""
            name: orders
            checkpoint: { every_records: 1000 }
            source: { type: csv, path: "in/*.csv" }
            {{OrdersContract}}
            sink:
              type: postgres
              connection: "{{Connection}}"
              table: orders
            """);

        var run = await SluiceAsync("run", pipeline);

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.Contains("orders (5,000 rows appended in", run.Stdout);
        Assert.Equal(5_000, await CountAsync("orders"));
        Assert.Equal(5_000, await ScalarAsync<long>("SELECT count(DISTINCT id) FROM orders"));
        Assert.Equal(Enumerable.Range(1, 5_000).Sum(i => i + (i % 100) / 100m), await ScalarAsync<decimal>("SELECT sum(amount) FROM orders"));
        var row = Assert.Single(await RowsAsync("SELECT customer, amount, placed FROM orders WHERE id = 1234"));
        Assert.Equal("c2", row[0]);
        Assert.Equal(1234.34m, row[1]);
        Assert.Equal(new DateTime(2026, 5, 3, 10, 0, 0, DateTimeKind.Utc), row[2]);
        Assert.Equal(0, await StagingTablesAsync());

        Dir.Write("in/3.csv", Orders(5_001, 10));
        var again = await SluiceAsync("run", pipeline);

        Assert.True(again.ExitCode == 0, again.Stdout + again.Stderr);
        Assert.Equal(5_010, await CountAsync("orders"));
        Assert.Equal(0, await StagingTablesAsync());
        // One marker per run stays (the one a resumed run could commit again), not one per checkpoint.
        Assert.Equal(2, await CountAsync("sluice_commits"));

        // The password went to the server and nowhere else: not into any output, nor the state file.
        var runs = await SluiceAsync("runs");
        foreach (var output in new[] { run, again, runs })
        {
            Assert.DoesNotContain(Server.Password, output.Stdout + output.Stderr);
        }
        foreach (string file in Directory.GetFiles(Dir.Path, "*", SearchOption.AllDirectories))
        {
            Assert.DoesNotContain(Server.Password, System.Text.Encoding.UTF8.GetString(File.ReadAllBytes(file)));
        }
        Assert.DoesNotContain(Server.Password, new PostgresSinkOptions { Connection = Direct, Table = "orders" }.ToString());
    }

    [Fact]
    public async Task An_upsert_keeps_the_last_record_of_each_key_within_a_checkpoint_and_across_runs()
    {
        await ExecuteAsync("CREATE TABLE balances (account bigint PRIMARY KEY, owner text, balance bigint)");
        // Every account appears three times in the first file, in one checkpoint: the third value must win.
        var first = new System.Text.StringBuilder("account,owner,balance\n");
        for (int round = 1; round <= 3; round++)
        {
            for (int account = 1; account <= 100; account++)
            {
                first.Append(System.Globalization.CultureInfo.InvariantCulture, $"{account},owner{account},{account * 10 + round}\n");
            }
        }
        Dir.Write("in/1.csv", first.ToString());
        string pipeline = Pipeline($$"""
            name: balances
            source: { type: csv, path: "in/*.csv" }
            contract:
              fields:
                account: { type: int64, required: true }
                owner: { type: string }
                balance: { type: int64 }
            sink:
              type: postgres
              connection: "{{Connection}}"
              table: balances
              mode: upsert
              key: [account]
            """);

        var run = await SluiceAsync("run", pipeline);

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.Equal(100, await CountAsync("balances"));
        Assert.Equal(Enumerable.Range(1, 100).Sum(a => a * 10L + 3), await ScalarAsync<long>("SELECT sum(balance)::bigint FROM balances"));

        // A later run updates half the accounts (twice each, the second wins) and adds ten new ones.
        var second = new System.Text.StringBuilder("account,owner,balance\n");
        for (int account = 51; account <= 110; account++)
        {
            second.Append(System.Globalization.CultureInfo.InvariantCulture, $"{account},old,{account * 1000}\n");
        }
        for (int account = 51; account <= 110; account++)
        {
            second.Append(System.Globalization.CultureInfo.InvariantCulture, $"{account},new,{account * 1000 + 1}\n");
        }
        Dir.Write("in/2.csv", second.ToString());
        var again = await SluiceAsync("run", pipeline);

        Assert.True(again.ExitCode == 0, again.Stdout + again.Stderr);
        Assert.Equal(110, await CountAsync("balances"));
        Assert.Equal(60, await ScalarAsync<long>("SELECT count(*) FROM balances WHERE owner = 'new'"));
        Assert.Equal(50, await ScalarAsync<long>("SELECT count(*) FROM balances WHERE owner LIKE 'owner%'"));
        long expected = Enumerable.Range(1, 50).Sum(a => a * 10L + 3) + Enumerable.Range(51, 60).Sum(a => a * 1000L + 1);
        Assert.Equal(expected, await ScalarAsync<long>("SELECT sum(balance)::bigint FROM balances"));
    }

    [Fact]
    public async Task An_upsert_keeps_the_last_record_of_a_key_across_checkpoints_of_one_run()
    {
        await ExecuteAsync("CREATE TABLE latest (k text, region text, v bigint, PRIMARY KEY (k, region))");
        var text = new System.Text.StringBuilder("k,region,v\n");
        for (int i = 0; i < 1_000; i++)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"k{i % 10},r{i % 3},{i}\n");
        }
        Dir.Write("in/1.csv", text.ToString());
        string pipeline = Pipeline($$"""
            name: latest
            checkpoint: { every_records: 70 }
            source: { type: csv, path: "in/*.csv" }
            contract:
              fields:
                k: { type: string, required: true }
                region: { type: string, required: true }
                v: { type: int64 }
            sink: { type: postgres, connection: "{{Connection}}", table: latest, mode: upsert, key: [k, region] }
            """);

        var run = await SluiceAsync("run", pipeline);

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        var rows = await RowsAsync("SELECT k, region, v FROM latest ORDER BY k, region");
        var expected = Enumerable.Range(0, 1_000).GroupBy(i => ($"k{i % 10}", $"r{i % 3}")).Select(g => (g.Key.Item1, g.Key.Item2, (long)g.Max()))
            .OrderBy(r => r.Item1, StringComparer.Ordinal).ThenBy(r => r.Item2, StringComparer.Ordinal).ToList();
        Assert.Equal(expected, rows.Select(r => ((string)r[0]!, (string)r[1]!, (long)r[2]!)).ToList());
    }

    [Fact]
    public async Task Create_makes_the_table_from_the_inputs_types_with_the_key_as_primary_key()
    {
        Dir.Write("in/1.jsonl", """
            {"id": 1, "ratio": 0.5, "price": "12.34", "name": "a", "active": true, "day": "2026-05-20", "at": "2026-05-20T10:11:12.123456Z"}
            {"id": 2, "ratio": null, "price": null, "name": null, "active": false, "day": null, "at": null}
            """);
        string pipeline = Pipeline($$"""
            name: typed
            source: { type: jsonl, path: "in/*.jsonl" }
            contract:
              fields:
                id: { type: int64, required: true }
                ratio: { type: float64 }
                price: { type: decimal, scale: 2 }
                name: { type: string }
                active: { type: bool }
                day: { type: date }
                at: { type: timestamp }
            sink: { type: postgres, connection: "{{Connection}}", table: "{{Schema}}.\"Typed\"", create: true, mode: upsert, key: [id] }
            """);

        var validate = await SluiceAsync("validate", pipeline);
        Assert.True(validate.ExitCode == 0, validate.Stdout + validate.Stderr);
        Assert.Equal(0, await ScalarAsync<long>($"SELECT count(*) FROM pg_tables WHERE schemaname = '{Schema}'")); // validate creates nothing

        var run = await SluiceAsync("run", pipeline);

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        var columns = await RowsAsync($"""
            SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
            WHERE a.attrelid = '{Schema}."Typed"'::regclass AND a.attnum > 0 ORDER BY a.attnum
            """);
        Assert.Equal(
            [("id", "bigint"), ("ratio", "double precision"), ("price", "numeric(28,2)"), ("name", "text"), ("active", "boolean"),
                ("day", "date"), ("at", "timestamp with time zone")],
            columns.Select(c => ((string)c[0]!, (string)c[1]!)).ToList());
        Assert.Equal("PRIMARY KEY (id)", await ScalarAsync<string>(
            $"SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = '{Schema}.\"Typed\"'::regclass AND contype = 'p'"));
        var rows = await RowsAsync($"SELECT id, ratio, price, name, active, day, at FROM {Schema}.\"Typed\" ORDER BY id");
        Assert.Equal([1L, 0.5, 12.34m, "a", true, new DateOnly(2026, 5, 20), new DateTime(2026, 5, 20, 10, 11, 12, DateTimeKind.Utc).AddTicks(1234560)], rows[0]);
        Assert.Equal([2L, null, null, null, false, null, null], rows[1]);
    }
}
