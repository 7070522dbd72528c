using Sluice.Postgres.Tests.TestSupport;
using Sluice.ServiceFixtures;

namespace Sluice.Postgres.Tests.Sink;

/// <summary>What is wrong with the table or the connection is found when the pipeline is built — by <c>sluice
/// validate</c> and by <c>sluice run</c> before anything runs — and said in one positioned line, exit code 2, without
/// a stack trace and without the password.</summary>
public sealed class CheckTests(PostgresFixture fixture) : PostgresTest(fixture)
{
    private string OrdersPipeline(string connection, string table = "orders", string extra = "")
    {
        Dir.Write("in/1.csv", Orders(1, 10));
        return Pipeline($$"""
            name: checks
            source: { type: csv, path: "in/*.csv" }
            {{OrdersContract}}
            sink:
              type: postgres
              connection: "{{connection}}"
              table: {{table}}{{extra}}
            """);
    }

    /// <summary>Where <paramref name="text"/> is in the pipeline file: <c>file:line:</c>.</summary>
    private string LineOf(string pipeline, string text)
    {
        var lines = File.ReadAllLines(pipeline);
        int line = Array.FindIndex(lines, l => l.Contains(text, StringComparison.Ordinal)) + 1;
        Assert.True(line > 0, $"'{text}' is not in the pipeline");
        return $"{pipeline}:{line}:";
    }

    /// <summary>validate and run each fail with exit code 2 and the same one line, which is returned; the run wrote
    /// nothing and recorded no run.</summary>
    private async Task<string> BothRefuseAsync(string pipeline, string? secret = null)
    {
        var validate = await SluiceAsync("validate", pipeline);
        var run = await SluiceAsync("run", pipeline);

        Assert.True(validate.ExitCode == 2, $"validate: exit {validate.ExitCode}\n{validate.Stdout}{validate.Stderr}");
        Assert.True(run.ExitCode == 2, $"run: exit {run.ExitCode}\n{run.Stdout}{run.Stderr}");
        string line = OneLine(validate);
        Assert.Equal(line, OneLine(run));
        foreach (var output in new[] { validate, run })
        {
            if (secret is not null)
            {
                Assert.DoesNotContain(secret, output.Stdout + output.Stderr);
            }
            Assert.DoesNotContain(Server.Password, output.Stdout + output.Stderr);
        }
        var runs = await SluiceAsync("runs");
        Assert.DoesNotContain("checks", runs.Stdout);
        return line;
    }

    [Fact]
    public async Task An_existing_table_whose_column_has_another_type_is_one_positioned_line_before_anything_runs()
    {
        await ExecuteAsync("CREATE TABLE orders (id bigint, customer text, amount text, placed timestamptz)");
        string pipeline = OrdersPipeline(Connection);

        string line = await BothRefuseAsync(pipeline);

        Assert.StartsWith(LineOf(pipeline, "table: orders"), line);
        Assert.EndsWith($"stage 'sink': column \"amount\" of {Schema}.orders is text, but the input's \"amount\" is decimal(28,2), which goes into numeric, double precision, real columns; change the column's type, or convert the input (derive with CAST)", line);
        Assert.Equal(0, await CountAsync("orders"));
        Assert.Equal(0, await ScalarAsync<long>($"SELECT count(*) FROM pg_tables WHERE schemaname = '{Schema}' AND tablename <> 'orders'"));
    }

    [Fact]
    public async Task Every_misfit_of_a_table_is_reported_at_once()
    {
        await ExecuteAsync("CREATE TABLE orders (id bigint, amount numeric, placed date, region text NOT NULL, total bigint GENERATED ALWAYS AS (id * 2) STORED)");
        string pipeline = OrdersPipeline(Connection);

        var validate = await SluiceAsync("validate", pipeline);

        Assert.Equal(2, validate.ExitCode);
        string at = LineOf(pipeline, "table: orders") + "10: stage 'sink': ";
        Assert.Equal([
            at + $"table {Schema}.orders has no column \"customer\" (the input's string column); add it: ALTER TABLE {Schema}.orders ADD COLUMN \"customer\" text, or leave it out of the input (select)",
            at + $"column \"placed\" of {Schema}.orders is date, but the input's \"placed\" is timestamp, which goes into timestamptz, timestamp columns; change the column's type, or convert the input (derive with CAST)",
            at + $"column \"region\" of {Schema}.orders is NOT NULL without a default, but the input has no such column; add it to the input (derive), or give the column a default",
        ], validate.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [Fact]
    public async Task A_missing_table_is_one_line_and_create_true_makes_validate_pass_without_creating_it()
    {
        string pipeline = OrdersPipeline(Connection, table: "missing");

        string line = await BothRefuseAsync(pipeline);

        Assert.StartsWith(LineOf(pipeline, "table: missing"), line);
        Assert.EndsWith($"stage 'sink': table missing does not exist in database 'sluice' (create it, or set create: true to create it from the input's columns)", line);

        string creating = OrdersPipeline(Connection, table: "missing", extra: "\n  create: true");
        var validate = await SluiceAsync("validate", creating);
        Assert.True(validate.ExitCode == 0, validate.Stdout + validate.Stderr);
        Assert.Equal(0, await ScalarAsync<long>($"SELECT count(*) FROM pg_tables WHERE schemaname = '{Schema}'"));
    }

    [Fact]
    public async Task A_wrong_password_is_one_line_that_never_shows_the_password()
    {
        const string wrong = "not-the-password-7c1e";
        string pipeline = OrdersPipeline($"Host={Server.Host};Port={Server.Port};Database=sluice;Username=sluice;Password={wrong}");

        string line = await BothRefuseAsync(pipeline, wrong);

        Assert.StartsWith(LineOf(pipeline, "connection:"), line);
        Assert.EndsWith($"stage 'sink': cannot log in to PostgreSQL at {Server.Host}:{Server.Port} as 'sluice': password authentication failed for user \"sluice\" (check Username and Password)", line);
    }

    [Fact]
    public async Task A_port_nobody_listens_on_is_one_line_naming_the_server()
    {
        int port = FreePort.Next();
        string pipeline = OrdersPipeline($"Host=127.0.0.1;Port={port};Database=sluice;Username=sluice;Password=${{env:{PasswordVariable}}}");

        string line = await BothRefuseAsync(pipeline);

        Assert.StartsWith(LineOf(pipeline, "connection:"), line);
        Assert.EndsWith($"stage 'sink': cannot connect to PostgreSQL at 127.0.0.1:{port}: Connection refused (check Host and Port, and that the server is running)", line);
    }

    [Fact]
    public async Task A_missing_database_is_one_line()
    {
        string pipeline = OrdersPipeline($"Host={Server.Host};Port={Server.Port};Database=nowhere;Username=sluice;Password=${{env:{PasswordVariable}}}");

        string line = await BothRefuseAsync(pipeline);

        Assert.EndsWith($"stage 'sink': cannot connect to PostgreSQL at {Server.Host}:{Server.Port}: database \"nowhere\" does not exist (check Database, or create it)", line);
    }

    [Fact]
    public async Task Validate_without_the_password_variable_checks_the_options_only_and_run_says_which_variable_is_missing()
    {
        await ExecuteAsync("CREATE TABLE orders (id bigint, customer text, amount numeric, placed timestamptz)");
        string pipeline = OrdersPipeline(Connection.Replace(PasswordVariable, "SLUICE_TEST_PG_NEVER_SET", StringComparison.Ordinal));

        var validate = await SluiceAsync("validate", pipeline);
        var run = await SluiceAsync("run", pipeline);

        Assert.True(validate.ExitCode == 0, validate.Stdout + validate.Stderr);
        Assert.Equal(2, run.ExitCode);
        Assert.EndsWith("stage 'sink': connection needs the environment variable SLUICE_TEST_PG_NEVER_SET, which is not set", OneLine(run));
    }

    [Fact]
    public async Task An_upsert_needs_a_key_and_a_unique_index_on_it_and_an_append_takes_no_key()
    {
        await ExecuteAsync("CREATE TABLE orders (id bigint, customer text, amount numeric, placed timestamptz)");

        var keyless = await SluiceAsync("validate", OrdersPipeline(Connection, extra: "\n  mode: upsert"));
        var appendWithKey = await SluiceAsync("validate", OrdersPipeline(Connection, extra: "\n  key: [id]"));
        var noIndex = await SluiceAsync("validate", OrdersPipeline(Connection, extra: "\n  mode: upsert\n  key: [id]"));
        var noColumn = await SluiceAsync("validate", OrdersPipeline(Connection, extra: "\n  mode: upsert\n  key: [order_id]"));

        Assert.EndsWith("stage 'sink': mode: upsert needs key: the input columns that identify a record, e.g. key: [id]", OneLine(keyless));
        Assert.EndsWith("stage 'sink': key is for mode: upsert; an append inserts every record: remove key, or set mode: upsert", OneLine(appendWithKey));
        Assert.EndsWith($"stage 'sink': upsert on key (\"id\") needs a primary key or a unique index on exactly those columns in {Schema}.orders (ON CONFLICT uses it); add one: ALTER TABLE {Schema}.orders ADD PRIMARY KEY (\"id\")", OneLine(noIndex));
        Assert.EndsWith("stage 'sink': key column 'order_id' is not a column of the input (its columns: id, customer, amount, placed)", OneLine(noColumn));
    }

    [Fact]
    public async Task Unquoted_table_names_fold_to_lower_case_and_quoted_ones_keep_their_case()
    {
        await ExecuteAsync("CREATE TABLE \"Orders\" (id bigint, customer text, amount numeric, placed timestamptz)");

        var folded = await SluiceAsync("validate", OrdersPipeline(Connection, table: "Orders"));
        var quoted = await SluiceAsync("validate", OrdersPipeline(Connection, table: $"'{Schema}.\"Orders\"'"));
        var unclosed = await SluiceAsync("validate", OrdersPipeline(Connection, table: "'\"Orders'"));

        Assert.Contains("table orders does not exist", OneLine(folded));
        Assert.True(quoted.ExitCode == 0, quoted.Stdout + quoted.Stderr);
        Assert.EndsWith("stage 'sink': table: a quoted name is not closed: add the \" that ends it", OneLine(unclosed));
    }
}
