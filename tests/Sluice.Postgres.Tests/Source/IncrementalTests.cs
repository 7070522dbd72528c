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
        await InsertAsync(21, 1, tick: 2); // the newest cursor value waits for a newer one
        string pipeline = ItemsPipeline("batch_size: 6", everyRecords: 5);

        Succeeded(await RunAsync(pipeline));
        var expected = await ReadableAsync();
        Assert.Equal(20, expected.Count);
        AssertExactlyOnce(expected, Output());

        await UpdateAsync([3, 7, 19], tick: 3);
        await InsertAsync(22, 4, tick: 3);
        await UpdateAsync([7], tick: 4); // changed twice before a run: only its newest version is there to read
        await InsertAsync(26, 1, tick: 5);
        expected.UnionWith(await ReadableAsync());
        Succeeded(await RunAsync(pipeline));

        AssertExactlyOnce(expected, Output());
        Assert.Contains((7L, 3L), Output());
        Assert.Contains((21L, 1L), Output());
        Assert.DoesNotContain((7L, 2L), Output());

        Succeeded(await RunAsync(pipeline)); // nothing new: nothing read
        AssertExactlyOnce(expected, Output());
    }

    [Fact]
    public async Task Equal_cursor_values_across_page_boundaries_and_across_runs_are_not_skipped()
    {
        await CreateItemsAsync();
        await InsertAsync(1, 11, tick: 5); // eleven rows with one ts: pages of 2 split them everywhere
        await InsertAsync(12, 5, tick: 6);
        string pipeline = ItemsPipeline("batch_size: 2", everyRecords: 3);

        Succeeded(await RunAsync(pipeline));
        AssertExactlyOnce(Enumerable.Range(1, 11).Select(i => ((long)i, 1L)), Output());

        // More rows with the newest ts, one with a smaller id than any: the ts waited, so none is skipped.
        await InsertAsync(17, 3, tick: 6);
        await ExecuteAsync($"INSERT INTO items VALUES (0, 1, '{Tick(6)}', 'a tie with a smaller key')");
        await InsertAsync(20, 1, tick: 7);
        Succeeded(await RunAsync(pipeline));

        AssertExactlyOnce(Enumerable.Range(0, 20).Select(i => ((long)i, 1L)), Output());
    }

    [Fact]
    public async Task A_first_cursor_column_that_is_unique_on_its_own_has_no_ties_so_its_newest_row_is_read_at_once()
    {
        await CreateItemsAsync();
        await InsertAsync(1, 5, tick: 1);
        string pipeline = ItemsPipeline(cursor: "[id]");

        Succeeded(await RunAsync(pipeline));
        await InsertAsync(6, 2, tick: 1);
        Succeeded(await RunAsync(pipeline));

        AssertExactlyOnce(Enumerable.Range(1, 7).Select(i => ((long)i, 1L)), Output());
    }

    [Fact]
    public async Task The_position_keeps_microseconds_so_a_row_one_microsecond_later_is_read_and_the_last_one_is_not_read_again()
    {
        await CreateItemsAsync();
        await InsertAsync(1, 1, tick: 1);
        await InsertAsync(2, 1, tick: 2);
        string pipeline = ItemsPipeline();
        Succeeded(await RunAsync(pipeline));
        AssertExactlyOnce([(1, 1)], Output());

        await ExecuteAsync($"INSERT INTO items VALUES (0, 1, '{Tick(2)}', 'a tie, a smaller id'), (3, 1, '{Tick(3)}', 'newest')");
        Succeeded(await RunAsync(pipeline));

        AssertExactlyOnce([(1, 1), (2, 1), (0, 1)], Output());
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
        await InsertAsync(31, 1, tick: 2);
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
        var expected = await ReadableAsync();
        await UpdateAsync([2, 4], tick: 3);
        await InsertAsync(32, 2, tick: 3);
        await InsertAsync(34, 1, tick: 4);
        expected.UnionWith(await ReadableAsync());
        Succeeded(await RunAsync(pipeline));

        AssertExactlyOnce(expected, Output());
        Assert.Equal(35, expected.Count); // 1-33 and the new versions of 2 and 4
    }

    [Fact]
    public async Task Without_a_cursor_a_table_is_read_whole_every_run_in_primary_key_order()
    {
        await CreateItemsAsync();
        await InsertAsync(1, 9, tick: 1);
        string pipeline = ItemsPipeline("batch_size: 4", cursor: "");

        Succeeded(await RunAsync(pipeline));
        Succeeded(await RunAsync(pipeline));

        var output = Output();
        Assert.Equal(18, output.Count);
        Assert.Equal(Enumerable.Range(1, 9).SelectMany(i => new[] { ((long)i, 1L), ((long)i, 1L) }).Order(), output.Order());
    }
}
