using Sluice.Postgres.Tests.TestSupport;

namespace Sluice.Postgres.Tests.Source;

/// <summary>Reading by a cursor: each run reads what was added or changed since the last committed checkpoint, each
/// version once, rows with equal cursor values never skipped.</summary>
public sealed class IncrementalTests(PostgresFixture fixture) : SourceTest(fixture)
{
    [Fact]
    public async Task Rows_inserted_and_updated_between_runs_are_read_once_each_every_version_after_its_change()
    {
        await CreateItemsAsync();
        await InsertAsync(1, 20, tick: 1);
        string pipeline = ItemsPipeline("batch_size: 6", everyRecords: 5);

        Succeeded(await RunAsync(pipeline));
        var expected = await VersionsAsync();
        AssertExactlyOnce(expected, Output());

        await UpdateAsync([3, 7, 19], tick: 2);
        await InsertAsync(21, 4, tick: 2);
        await UpdateAsync([7], tick: 3); // changed twice before a run: only its newest version is there to read
        expected.UnionWith(await VersionsAsync());
        var second = await RunAsync(pipeline);

        Succeeded(second);
        AssertExactlyOnce(expected, Output());
        Assert.Contains((7L, 3L), Output());
        Assert.DoesNotContain((7L, 2L), Output());

        var third = await RunAsync(pipeline); // nothing new: nothing read
        Succeeded(third);
        AssertExactlyOnce(expected, Output());
    }

    [Fact]
    public async Task Equal_cursor_values_across_page_boundaries_and_across_runs_are_not_skipped()
    {
        await CreateItemsAsync();
        await InsertAsync(1, 11, tick: 5); // eleven rows with one ts: pages of 2 split them everywhere
        string pipeline = ItemsPipeline("batch_size: 2", everyRecords: 3);

        Succeeded(await RunAsync(pipeline));
        AssertExactlyOnce(await VersionsAsync(), Output());

        // Later rows with the same ts and higher ids: after the last (ts, id) read, so the next run reads them.
        await InsertAsync(12, 5, tick: 5);
        Succeeded(await RunAsync(pipeline));

        AssertExactlyOnce(await VersionsAsync(), Output());
    }

    [Fact]
    public async Task The_position_keeps_microseconds_so_a_row_one_microsecond_later_is_read_and_the_last_one_is_not_read_again()
    {
        await CreateItemsAsync();
        await InsertAsync(1, 1, tick: 1);
        string pipeline = ItemsPipeline();
        Succeeded(await RunAsync(pipeline));

        await ExecuteAsync($"INSERT INTO items VALUES (0, 1, '{Tick(2)}', 'a microsecond later, a smaller id')");
        Succeeded(await RunAsync(pipeline));

        AssertExactlyOnce([(1, 1), (0, 1)], Output());
    }

    [Fact]
    public async Task A_row_stamped_before_rows_already_read_is_missed_unless_settle_waits_for_it()
    {
        await CreateItemsAsync();
        await ExecuteAsync("INSERT INTO items VALUES (1, 1, now() - interval '1 hour', 'old'), (2, 1, now(), 'just now')");
        string settled = ItemsPipeline("settle: 10m", output: "settled", file: "settled.yaml", name: "pg-settled");

        Succeeded(await RunAsync(settled));

        AssertExactlyOnce([(1, 1)], Output("settled")); // the row of just now waits until it is 10 minutes old
    }

    [Fact]
    public async Task A_query_with_a_join_is_read_incrementally_by_its_cursor()
    {
        await CreateItemsAsync();
        await ExecuteAsync("CREATE TABLE kinds (id bigint PRIMARY KEY, kind text); INSERT INTO kinds SELECT g, 'k' || (g % 3) FROM generate_series(1, 40) g");
        await InsertAsync(1, 30, tick: 1);
        string pipeline = Dir.Write("query.yaml", $$"""
            name: pg-query
            source:
              type: postgres
              connection: "{{Connection}}"
              query: "SELECT i.id, i.version, i.ts, k.kind FROM items i JOIN kinds k ON k.id = i.id;"
              cursor: [ts, id]
              batch_size: 7
            sink: { type: jsonl, path: out }
            """);

        Succeeded(await RunAsync(pipeline));
        await UpdateAsync([2, 4], tick: 2);
        await InsertAsync(31, 2, tick: 2);
        Succeeded(await RunAsync(pipeline));

        AssertExactlyOnce([.. Enumerable.Range(1, 32).Select(i => ((long)i, 1L)), (2, 2), (4, 2)], Output());
    }

    [Fact]
    public async Task Without_a_cursor_a_table_is_read_whole_every_run_in_primary_key_order()
    {
        await CreateItemsAsync();
        await InsertAsync(1, 9, tick: 1);
        string pipeline = ItemsPipeline("batch_size: 4", cursor: "[]");
        File.WriteAllText(pipeline, File.ReadAllText(pipeline).Replace("  cursor: []\n", ""));

        Succeeded(await RunAsync(pipeline));
        Succeeded(await RunAsync(pipeline));

        var output = Output();
        Assert.Equal(18, output.Count);
        Assert.Equal(Enumerable.Range(1, 9).SelectMany(i => new[] { ((long)i, 1L), ((long)i, 1L) }).Order(), output.Order());
    }
}
