using Sluice.Postgres.Tests.TestSupport;
using Sluice.ServiceFixtures;

namespace Sluice.Postgres.Tests.Source;

/// <summary><c>sluice validate</c> (and <c>run</c>, before anything runs) says what is wrong with the source's
/// connection, table, columns or cursor in one positioned line, exit code 2, without the password.</summary>
public sealed class ValidateTests(PostgresFixture fixture) : SourceTest(fixture)
{
    private string SourcePipeline(string source, string connection = "") => Dir.Write("validate.yaml", $$"""
        name: pg-validate
        source:
          type: postgres
          connection: "{{(connection.Length == 0 ? Connection : connection)}}"
        {{Indent(source)}}
        sink: { type: jsonl, path: out }
        """);

    private async Task<string> RefusedAsync(string pipeline, string? secret = null)
    {
        var validate = await SluiceAsync("validate", pipeline);
        var run = await SluiceAsync("run", pipeline);
        Assert.True(validate.ExitCode == 2, $"validate: exit {validate.ExitCode}\n{validate.Stdout}{validate.Stderr}");
        Assert.True(run.ExitCode == 2, $"run: exit {run.ExitCode}\n{run.Stdout}{run.Stderr}");
        string line = OneLine(validate);
        Assert.Equal(line, OneLine(run));
        Assert.DoesNotContain(Server.Password, validate.Stdout + validate.Stderr + run.Stdout + run.Stderr);
        if (secret is not null)
        {
            Assert.DoesNotContain(secret, validate.Stdout + validate.Stderr + run.Stdout + run.Stderr);
        }
        return line;
    }

    [Fact]
    public async Task A_wrong_host_is_one_line_naming_the_server()
    {
        int port = FreePort.Next();
        string line = await RefusedAsync(SourcePipeline("table: items\ncursor: [ts, id]",
            $"Host=127.0.0.1;Port={port};Database=sluice;Username=sluice;Password=${{env:{PasswordVariable}}}"));

        Assert.EndsWith($"stage 'source': cannot connect to PostgreSQL at 127.0.0.1:{port}: Connection refused (check Host and Port, and that the server is running)", line);
    }

    [Fact]
    public async Task A_wrong_password_is_one_line_that_never_shows_it()
    {
        const string wrong = "not-the-password-41af";
        string line = await RefusedAsync(SourcePipeline("table: items\ncursor: [ts, id]",
            $"Host={Server.Host};Port={Server.Port};Database=sluice;Username=sluice;Password={wrong}"), wrong);

        Assert.EndsWith($"stage 'source': cannot log in to PostgreSQL at {Server.Host}:{Server.Port} as 'sluice': password authentication failed for user \"sluice\" (check Username and Password)", line);
    }

    [Fact]
    public async Task A_missing_table_is_one_line()
    {
        string line = await RefusedAsync(SourcePipeline("table: nowhere\ncursor: [ts, id]"));

        Assert.EndsWith("stage 'source': table nowhere does not exist in database 'sluice' (unquoted names are folded to lower case: write '\"Orders\"' for a name with capitals)", line);
    }

    [Fact]
    public async Task A_missing_column_is_one_line_listing_the_columns()
    {
        await CreateItemsAsync();

        string line = await RefusedAsync(SourcePipeline("table: items\ncursor: [ts, id]\ncolumns: [id, colour]"));

        Assert.EndsWith($"stage 'source': {Schema}.items has no column \"colour\" (its columns: id, version, ts, note)", line);
    }

    [Theory]
    [InlineData("[modified, id]", "cursor column \"modified\" is not a column of {schema}.items (its columns: id, version, ts, note, doc, maybe)")]
    [InlineData("[doc, id]", "cursor column \"doc\" is jsonb, which cannot be a cursor (not ordered, or not exact as text); use columns of an integer, numeric, date, timestamp, text or uuid type")]
    [InlineData("[maybe, id]", "cursor column \"maybe\" of {schema}.items may be null, and a row whose cursor is null would never be read: make it NOT NULL (ALTER TABLE {schema}.items ALTER COLUMN \"maybe\" SET NOT NULL), or read a query that coalesces it")]
    [InlineData("[ts]", "cursor [ts] does not identify a row of {schema}.items (no unique index has only these columns), so rows with equal values could be skipped between two pages: add the table's key, e.g. cursor: [ts, id]")]
    public async Task A_bad_cursor_column_is_one_line_saying_what_to_write(string cursor, string expected)
    {
        await CreateItemsAsync();
        await ExecuteAsync("ALTER TABLE items ADD COLUMN doc jsonb, ADD COLUMN maybe timestamptz");

        string line = await RefusedAsync(SourcePipeline($"table: items\ncursor: {cursor}"));

        Assert.EndsWith("stage 'source': " + expected.Replace("{schema}", Schema, StringComparison.Ordinal), line);
    }

    [Fact]
    public async Task A_query_that_fails_and_a_query_without_a_cursor_are_one_line_each()
    {
        await CreateItemsAsync();

        string broken = await RefusedAsync(SourcePipeline("query: SELECT id FORM items\ncursor: [id]"));
        Assert.EndsWith("stage 'source': the query fails: syntax error at or near \"items\" [SQLSTATE 42601]", broken);

        string noCursor = await RefusedAsync(SourcePipeline("query: SELECT id, ts FROM items"));
        Assert.EndsWith("stage 'source': a query is read in pages by a cursor: give cursor: the columns that identify a row, e.g. cursor: [id] (a snapshot without a cursor is read by the primary key of a table)", noCursor);
    }

    [Fact]
    public async Task Table_and_query_together_or_neither_and_settle_on_a_non_timestamp_are_refused()
    {
        await CreateItemsAsync();

        var both = await SluiceAsync("validate", SourcePipeline("table: items\nquery: SELECT 1\ncursor: [id]"));
        Assert.EndsWith("give either table: or query:, not both", OneLine(both));
        var neither = await SluiceAsync("validate", SourcePipeline("cursor: [id]"));
        Assert.EndsWith("the postgres source needs table: (a table or view) or query: (a SELECT)", OneLine(neither));
        var settle = await SluiceAsync("validate", SourcePipeline("table: items\ncursor: [id]\nsettle: 5s"));
        Assert.EndsWith("stage 'source': settle compares the cursor's first column with the clock, but \"id\" is bigint: make the first cursor column a timestamp, or remove settle", OneLine(settle));
        var good = await SluiceAsync("validate", SourcePipeline("table: items\ncursor: [ts, id]\nsettle: 5s"));
        Assert.True(good.ExitCode == 0, good.Stdout + good.Stderr);
    }

    [Fact]
    public async Task Validate_without_the_password_variable_takes_the_columns_from_the_contract_and_run_says_which_variable_is_missing()
    {
        string unset = Connection.Replace(PasswordVariable, "SLUICE_TEST_PG_NEVER_SET", StringComparison.Ordinal);
        string withContract = Dir.Write("contract.yaml", $$"""
            name: pg-validate
            source: { type: postgres, connection: "{{unset}}", table: items, cursor: [ts, id] }
            contract:
              fields:
                id: { type: int64, required: true }
            sink: { type: jsonl, path: out }
            """);

        var validate = await SluiceAsync("validate", withContract);
        var run = await SluiceAsync("run", withContract);
        var bare = await SluiceAsync("validate", SourcePipeline("table: items\ncursor: [ts, id]", unset));

        Assert.True(validate.ExitCode == 0, validate.Stdout + validate.Stderr);
        Assert.EndsWith("stage 'source': connection needs the environment variable SLUICE_TEST_PG_NEVER_SET, which is not set", OneLine(run));
        Assert.EndsWith("stage 'source': connection needs the environment variable SLUICE_TEST_PG_NEVER_SET to ask the database for the source's columns; set it, or name them (columns:, or a contract after the source)", OneLine(bare));
    }
}
