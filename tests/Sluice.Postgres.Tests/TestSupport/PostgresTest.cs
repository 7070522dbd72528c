using System.Text.RegularExpressions;
using Npgsql;
using Sluice.Cli.Tests.TestSupport;
using Sluice.ServiceFixtures;

namespace Sluice.Postgres.Tests.TestSupport;

/// <summary>
/// Base of the tests against the private server: a schema of the test's own (dropped afterwards), a temp folder for
/// pipeline files, input and the state file, and helpers to run <c>sluice</c> and read the database back. Pipeline
/// files take the password from the environment (<see cref="PasswordVariable"/>), as users are told to.
/// </summary>
[Collection(PostgresCollection.Name)]
public abstract partial class PostgresTest(PostgresFixture fixture) : IAsyncLifetime
{
    public const string PasswordVariable = "SLUICE_TEST_PG_PASSWORD";

    protected TempDir Dir { get; } = new();

    protected PostgresServer Server => fixture.Server;

    /// <summary>The test's own schema: first on the search_path of <see cref="Connection"/>.</summary>
    protected string Schema { get; } = "t_" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>The connection string as a pipeline file writes it: the password is a <c>${env:}</c> reference.</summary>
    protected string Connection =>
        $"Host={Server.Host};Port={Server.Port};Database={PostgresServer.Database};Username={PostgresServer.User};Password=${{env:{PasswordVariable}}};Search Path={Schema}";

    /// <summary>The connection string with the password itself, for the tests' own queries.</summary>
    protected string Direct => $"{Server.ConnectionString};Search Path={Schema}";

    protected string State => Dir.File("state.db");

    public virtual async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable(PasswordVariable, Server.Password);
        await ExecuteAsync($"CREATE SCHEMA {Schema}");
    }

    public async Task DisposeAsync()
    {
        await ExecuteAsync($"DROP SCHEMA {Schema} CASCADE");
        Dir.Dispose();
    }

    protected async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Direct);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    protected async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(Direct);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The rows of a query, each as its values (DBNull as null).</summary>
    protected async Task<List<object?[]>> RowsAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Direct);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            var values = new object?[reader.FieldCount];
            reader.GetValues(values!);
            rows.Add(values.Select(v => v is DBNull ? null : v).ToArray());
        }
        return rows;
    }

    protected Task<long> CountAsync(string table) => ScalarAsync<long>($"SELECT count(*) FROM {table}");

    /// <summary>Staging tables left in the test's schema (there must be none once a run is over).</summary>
    protected Task<long> StagingTablesAsync() =>
        ScalarAsync<long>($"SELECT count(*) FROM pg_tables WHERE schemaname = '{Schema}' AND tablename LIKE 'sluice\\_stage\\_%'");

    /// <summary>Writes <c>pipeline.yaml</c> into the temp folder and returns its path.</summary>
    protected string Pipeline(string yaml) => Dir.Write("pipeline.yaml", yaml);

    /// <summary>Runs <c>sluice</c> in process with the test's state file for the commands that take one.</summary>
    protected Task<CliResult> SluiceAsync(params string[] args) =>
        global::Sluice.Cli.Tests.TestSupport.Sluice.RunAsync(args[0] is "validate" or "schema" or "docs" ? args : [.. args, "--state", State]);

    /// <summary>Runs <c>sluice run</c> as a child process that kills itself at <paramref name="crashAt"/>.</summary>
    protected async Task<CliResult> RunKilledAtAsync(string crashAt, string pipeline)
    {
        var result = await SluiceProcess.RunAsync(new Dictionary<string, string> { ["SLUICE_CRASH_AT"] = crashAt, [PasswordVariable] = Server.Password },
            "run", pipeline, "--state", State);
        Assert.True(result.Stderr.Contains($"SLUICE_CRASH_AT: killing the process at {crashAt.Split(':')[0]}", StringComparison.Ordinal),
            $"the run was not killed at {crashAt} (exit {result.ExitCode}): {result.Stdout}{result.Stderr}");
        return result;
    }

    /// <summary>The one line a failed command printed on stderr, checked to be one line without a stack trace.</summary>
    protected static string OneLine(CliResult result)
    {
        string[] lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length == 1, $"expected one line on stderr, got {lines.Length}:\n{result.Stderr}");
        Assert.DoesNotMatch(StackFrame(), result.Stderr + result.Stdout);
        return lines[0];
    }

    /// <summary>A CSV of <paramref name="count"/> orders from <paramref name="first"/>: id, customer, amount (a
    /// decimal), placed (a timestamp).</summary>
    protected static string Orders(int first, int count)
    {
        var text = new System.Text.StringBuilder("id,customer,amount,placed\n");
        for (int id = first; id < first + count; id++)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture,
                $"{id},c{id % 7},{id}.{id % 100:D2},2026-05-{1 + id % 28:D2}T{id % 24:D2}:00:00Z\n");
        }
        return text.ToString();
    }

    /// <summary>The contract most tests read <see cref="Orders"/> with.</summary>
    protected const string OrdersContract = """
        contract:
          fields:
            id: { type: int64, required: true }
            customer: { type: string }
            amount: { type: decimal, scale: 2 }
            placed: { type: timestamp }
        """;

    [GeneratedRegex(@"^\s+at \S", RegexOptions.Multiline)]
    private static partial Regex StackFrame();
}
