using Sluice.Postgres.Tests.TestSupport;

namespace Sluice.Postgres.Tests.Sink;

/// <summary>A record whose value the table cannot take is dead-lettered (reason <c>sink</c>) and the others are written:
/// the values are checked before the COPY, which would otherwise fail the whole batch.</summary>
public sealed class RefusedValueTests(PostgresFixture fixture) : PostgresTest(fixture)
{
    [Fact]
    public async Task Nul_bytes_nulls_in_not_null_columns_and_values_too_large_are_dead_letters_and_the_rest_is_written()
    {
        await ExecuteAsync("CREATE TABLE items (id bigint PRIMARY KEY, name varchar(5), qty integer, note text NOT NULL, price numeric(5,2))");
        Dir.Write("in/1.jsonl", """
            {"id": 1, "name": "ok", "qty": 1, "note": "n", "price": "1.50"}
            {"id": 2, "name": "a\u0000b", "qty": 1, "note": "n", "price": "1"}
            {"id": 3, "name": "big", "qty": 3000000000, "note": "n", "price": "1"}
            {"id": 4, "name": "nil", "qty": 1, "note": null, "price": "1"}
            {"id": 5, "name": "toolong", "qty": 1, "note": "n", "price": "1"}
            {"id": 6, "name": "héllo", "qty": -7, "note": "n\u0001", "price": "999.994"}
            {"id": 7, "name": "cost", "qty": 1, "note": "n", "price": "999.996"}
            """);
        string pipeline = Pipeline($$"""
            name: refused
            source: { type: jsonl, path: "in/*.jsonl" }
            contract:
              fields:
                id: { type: int64, required: true }
                name: { type: string }
                qty: { type: int64 }
                note: { type: string }
                price: { type: decimal, scale: 3 }
            sink: { type: postgres, connection: "{{Connection}}", table: items }
            """);

        var run = await SluiceAsync("run", pipeline);

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.Contains("in 7 = out 2 + dead 5 + filtered 0", run.Stdout);
        var rows = await RowsAsync("SELECT id, name, qty, note, price FROM items ORDER BY id");
        Assert.Equal([[1L, "ok", 1, "n", 1.50m], [6L, "héllo", -7, "n\u0001", 999.99m]], rows);
        var letters = await SluiceAsync("dlq", "list");
        Assert.True(letters.ExitCode == 0, letters.Stdout + letters.Stderr);
        foreach (string rule in new[] { "nul_byte", "out_of_range", "not_null", "max_length" })
        {
            Assert.Contains(rule, letters.Stdout);
        }
        Assert.Equal(5, letters.Stdout.Split('\n').Count(l => l.Contains(" sink ", StringComparison.Ordinal)));
        Assert.Equal(0, await StagingTablesAsync());
    }

    [Fact]
    public async Task A_checkpoint_whose_records_were_all_refused_commits_nothing_and_the_run_goes_on()
    {
        await ExecuteAsync("CREATE TABLE notes (id bigint, note text)");
        Dir.Write("in/1.jsonl", "{\"id\": 1, \"note\": \"\\u0000\"}\n");
        Dir.Write("in/2.jsonl", "{\"id\": 2, \"note\": \"fine\"}\n");
        string pipeline = Pipeline($$"""
            name: all-refused
            checkpoint: { every_records: 1 }
            source: { type: jsonl, path: "in/*.jsonl" }
            contract:
              fields:
                id: { type: int64 }
                note: { type: string }
            sink: { type: postgres, connection: "{{Connection}}", table: notes }
            """);

        var run = await SluiceAsync("run", pipeline);

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.Equal([[2L, "fine"]], await RowsAsync("SELECT id, note FROM notes"));
    }
}
