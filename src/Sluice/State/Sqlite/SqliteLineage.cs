using System.Text.Json;
using Microsoft.Data.Sqlite;
using Sluice.Lineage;

namespace Sluice.State.Sqlite;

/// <summary>Each pipeline's newest lineage in <c>pipeline_lineage</c>, its datasets as JSON (snake_case keys, so the
/// file reads well by hand), and which pipelines flows' tasks ran.</summary>
internal static class SqliteLineage
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static async Task ReplaceAsync(SqliteConnection connection, SqliteTransaction transaction, PipelineLineage lineage,
        CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO pipeline_lineage (pipeline, run_id, updated_at, inputs, outputs) VALUES ($pipeline, $run, $at, $inputs, $outputs)
            ON CONFLICT (pipeline) DO UPDATE SET run_id = $run, updated_at = $at, inputs = $inputs, outputs = $outputs
            """;
        command.Parameters.AddWithValue("$pipeline", lineage.Pipeline);
        command.Parameters.AddWithValue("$run", lineage.RunId);
        command.Parameters.AddWithValue("$at", SqliteValues.Timestamp(lineage.UpdatedAt));
        command.Parameters.AddWithValue("$inputs", JsonSerializer.Serialize(lineage.Inputs, Json));
        command.Parameters.AddWithValue("$outputs", JsonSerializer.Serialize(lineage.Outputs, Json));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public const string Select = "SELECT pipeline, run_id, updated_at, inputs, outputs FROM pipeline_lineage ORDER BY pipeline";

    public static PipelineLineage Read(SqliteDataReader row) => new(row.GetString(0), row.GetString(1), SqliteValues.ParseTimestamp(row.GetString(2)),
        Datasets(row.GetString(3)), Datasets(row.GetString(4)));

    private static List<DatasetLineage> Datasets(string json) =>
        JsonSerializer.Deserialize<List<DatasetLineage>>(json, Json) ?? throw new InvalidDataException("a lineage row holds null instead of datasets");

    /// <summary>Per flow, task and pipeline, the newest pipeline run the task started (SQLite takes the bare columns
    /// from the row that has the max).</summary>
    public const string SelectFlowPipelines = """
        SELECT f.flow, t.task, r.pipeline, r.id, max(r.started_at)
        FROM task_runs t JOIN flow_runs f ON f.run_id = t.flow_run_id JOIN runs r ON r.id = t.pipeline_run_id
        GROUP BY f.flow, t.task, r.pipeline
        ORDER BY f.flow, t.task, r.pipeline
        """;

    public static FlowPipeline ReadFlowPipeline(SqliteDataReader row) =>
        new(row.GetString(0), row.GetString(1), row.GetString(2), row.GetString(3), SqliteValues.ParseTimestamp(row.GetString(4)));
}
