using Microsoft.Data.Sqlite;
using Sluice.Expectations;

namespace Sluice.State.Sqlite;

/// <summary>The <c>run_expectations</c> table: one row per expectation of a run, in declaration order.</summary>
internal static class SqliteExpectations
{
    public static async Task ReplaceAsync(SqliteConnection connection, SqliteTransaction transaction, string runId,
        IReadOnlyList<ExpectationResult> results, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "DELETE FROM run_expectations WHERE run_id = $run";
        command.Parameters.AddWithValue("$run", runId);
        await command.ExecuteNonQueryAsync(cancellationToken);

        command.CommandText = """
            INSERT INTO run_expectations (run_id, ordinal, expectation, measured, passed, severity)
            VALUES ($run, $ordinal, $expectation, $measured, $passed, $severity)
            """;
        var ordinal = command.Parameters.Add("$ordinal", SqliteType.Integer);
        var expectation = command.Parameters.Add("$expectation", SqliteType.Text);
        var measured = command.Parameters.Add("$measured", SqliteType.Text);
        var passed = command.Parameters.Add("$passed", SqliteType.Integer);
        var severity = command.Parameters.Add("$severity", SqliteType.Text);
        for (int i = 0; i < results.Count; i++)
        {
            ordinal.Value = i;
            expectation.Value = results[i].Expectation;
            measured.Value = results[i].Measured;
            passed.Value = results[i].Passed ? 1 : 0;
            severity.Value = results[i].Severity == ExpectationSeverity.Warn ? "warn" : "fail";
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public static ExpectationResult Read(SqliteDataReader row) => new(
        row.GetString(0),
        row.GetString(1),
        row.GetInt64(2) != 0,
        row.GetString(3) == "warn" ? ExpectationSeverity.Warn : ExpectationSeverity.Fail);
}
