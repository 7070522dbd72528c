using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Sluice.State;
using Sluice.State.Sqlite;

namespace Sluice.DashboardData;

/// <summary>
/// Writes planned runs into the state file with the rows the engine writes for them, in its spelling: each run's
/// <c>runs</c> row, its stage counts, checkpoints (with the files they published and the inputs they consumed), its
/// dead letters (stored with the checkpoint that committed them, at that checkpoint's time) and, for a flow run, its
/// <c>flow_runs</c> row, task instances and task events. Each statement is prepared once and re-bound per row.
/// </summary>
internal sealed class Writer(SqliteConnection connection, Random random)
{
    private readonly SqliteCommand _run = Prepare(connection, """
        INSERT INTO runs (id, pipeline, kind, parent_run_id, state, started_at, ended_at, records_read, records_written, filtered, dead_lettered, error)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
        """, 12);
    private readonly SqliteCommand _stage = Prepare(connection, """
        INSERT INTO run_stages (run_id, ordinal, stage, kind, records_in, records_out, filtered, dead_lettered, busy_ms,
            retries, timeouts, circuit_openings, circuit_closings, inputs)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, 0, 0, $11)
        """, 11);
    private readonly SqliteCommand _checkpoint = Prepare(connection, """
        INSERT INTO checkpoints (run_id, id, created_at, duration_ms, records_committed, source_positions, sink_tokens, counts)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        """, 8);
    private readonly SqliteCommand _file = Prepare(connection,
        "INSERT INTO committed_files (run_id, checkpoint_id, stage, path) VALUES ($1, $2, $3, $4)", 4);
    private readonly SqliteCommand _mark = Prepare(connection,
        "INSERT OR REPLACE INTO input_marks (pipeline, input, value, run_id, checkpoint_id) VALUES ($1, $2, $3, $4, $5)", 5);
    private readonly SqliteCommand _letter = Prepare(connection, """
        INSERT INTO dead_letters (run_id, pipeline, created_at, stage, input, position, reason, field, rule, message, original, attempts)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
        """, 12);
    private readonly SqliteCommand _expectation = Prepare(connection, """
        INSERT INTO run_expectations (run_id, ordinal, expectation, measured, passed, severity) VALUES ($1, 0, $2, $3, $4, 'warn')
        """, 4);
    private readonly SqliteCommand _flowRun = Prepare(connection, """
        INSERT INTO flow_runs (run_id, flow, partition_key, parameters, definition_hash, scheduled_for, task_graph) VALUES ($1, 'nightly', $2, $3, $4, $5, $6)
        """, 6);
    private readonly SqliteCommand _task = Prepare(connection, """
        INSERT INTO task_runs (flow_run_id, task, instance, state, attempts, started_at, ended_at, pipeline_run_id, result, output, error)
        VALUES ($1, $2, -1, $3, $4, $5, $6, $7, $8, $9, $10)
        """, 10);
    private readonly SqliteCommand _event = Prepare(connection,
        "INSERT INTO task_events (flow_run_id, task, instance, state, attempt, at) VALUES ($1, $2, -1, $3, 1, $4)", 4);

    /// <summary>Dead letters written, by pipeline and reason, for the check against the engine's own count.</summary>
    public Dictionary<(string Pipeline, string Reason), long> LettersBy { get; } = [];

    public void Run(RunPlan run)
    {
        string input = run.Shape.Input(run.Start);
        var letters = Enumerable.Range(0, run.Letters + run.Uncommitted).Select(_ => Pick(run.Shape.Letters)).ToList();
        var counts = Counts.Of(run, letters.CountBy(letter => letter.Stage).ToDictionary(), random);
        var sinks = counts.Where(tally => tally.Kind == "sink").ToList();
        long written = sinks.Sum(sink => sink.Out);
        Bind(_run, run.Id, run.Shape.Name, run.Kind, run.Parent, run.State, Timestamp(run.Start), run.End is { } end ? Timestamp(end) : null,
            run.Kind == "flow" ? 0 : run.Read, written, counts.Sum(t => t.Filtered), letters.Count, run.Error);
        if (run.Kind == "flow")
            return;
        for (int i = 0; i < counts.Count; i++)
        {
            var tally = counts[i];
            Bind(_stage, run.Id, i, tally.Stage, tally.Kind, tally.In, tally.Out, tally.Filtered, tally.Dead, tally.BusyMs, tally.Retries,
                JsonSerializer.Serialize(tally.Inputs));
        }

        // The engine checkpoints every 1,000,000 records by default, and once more at the end; a run that failed, was
        // cancelled, broke its quality gate or is still running has not committed that last one. The stored letters
        // are all committed by the last checkpoint written.
        int checkpoints = (int)Math.Min(4, run.Read / 1_000_000 + 1);
        if (run.State is "failed" or "cancelled" or "quality_gate_failed" or "running" && (checkpoints > 1 || run.Letters == 0))
            checkpoints--;
        int lettersDone = 0;
        for (int id = 1; id <= checkpoints; id++)
        {
            double share = (double)id / checkpoints;
            var at = run.Start + run.Duration * share;
            var part = Counts.Part(counts, share);
            Bind(_checkpoint, run.Id, id, Timestamp(at), random.Next(4, 90), (long)(written * share),
                Map(run.Shape.Stages[0].Name, SourcePosition(run, input, share)), SinkTokens(run, sinks, id), CountsJson(part));
            foreach (var sink in sinks.Where(sink => sink.Stage != "table"))
                Bind(_file, run.Id, id, sink.Stage, $"/srv/out/{run.Shape.Name}/{sink.Stage}/part-{run.Id}-{id - 1:00000}.parquet");
            int upTo = (int)(run.Letters * share);
            for (; lettersDone < upTo; lettersDone++)
                Letter(run, input, letters[lettersDone], at);
            // A file source marks the file it consumed (32 bytes a record); a stream source marks nothing.
            if (id == checkpoints && run.Shape.Stages[0].Name == "source")
                Bind(_mark, run.Shape.Name, input, FormattableString.Invariant(
                    $$"""{"size":{{run.Read * 32}},"hash":"xxh128:{{random.NextInt64():x16}}{{random.NextInt64():x16}}","end_offset":{{run.Read * 32}},"end_line":{{run.Read + 1}}}"""),
                    run.Id, id);
        }
        if (run.Shape == Shapes.Clicks && run.State == "succeeded")
        {
            int minutes = random.Next(1, 20);
            Bind(_expectation, run.Id, "freshness of ts within 15m", $"newest ts {minutes}m old", minutes <= 15 ? 1 : 0);
        }
    }

    private void Letter(RunPlan run, string input, LetterShape shape, DateTimeOffset at)
    {
        var (message, original) = shape.Make(random);
        string position = run.Shape.Position(run.Start, random.NextInt64(2, run.Read + 2));
        Bind(_letter, run.Id, run.Shape.Name, Timestamp(at), shape.Stage, input, position, shape.Reason, shape.Field, shape.Rule, message, original,
            run.Kind == "replay" ? 2 : 1);
        var key = (run.Shape.Name, shape.Reason);
        LettersBy[key] = LettersBy.GetValueOrDefault(key) + 1;
    }

    public void Flow(FlowPlan flow)
    {
        Bind(_flowRun, flow.Run.Id, flow.Partition, $$"""{"day":"{{flow.Partition}}"}""", "3f9c1a7e52d04b86", Timestamp(flow.ScheduledFor), Shapes.NightlyGraph);
        var validate = flow.TaskRuns[1]!;
        bool failed = flow.Run.State == "failed";
        for (int t = 0; t < flow.TaskRuns.Length; t++)
        {
            var (task, pipeline) = Shapes.NightlyTasks[t];
            var run = flow.TaskRuns[t];
            if ((pipeline is not null && run is null) || (task == "report" && failed))
            {
                Bind(_task, flow.Run.Id, task, "skipped", 0, null, null, null, null, null, null);
                continue;
            }
            var (start, end) = run is not null ? (run.Start.AddMilliseconds(-30), run.End!.Value.AddMilliseconds(20))
                : task == "extract" ? (flow.Run.Start.AddMilliseconds(60), flow.Run.Start.AddMilliseconds(900))
                : (flow.Run.End!.Value.AddMilliseconds(-300), flow.Run.End!.Value.AddMilliseconds(-60));
            string state = run is null || run.State == "succeeded" ? "completed" : "failed";
            string result = run is null
                ? """{"exit_code":0,"lines":[]}"""
                : FormattableString.Invariant($$"""{"run_id":"{{run.Id}}","pipeline":"{{run.Shape.Name}}","state":"{{run.State.Replace('_', '-')}}","records_read":{{run.Read}},"records_written":{{run.Read - run.Letters}},"dead_lettered":{{run.Letters}},"published":[]}""");
            Bind(_task, flow.Run.Id, task, state, 1, Timestamp(start), Timestamp(end), run?.Id, state == "completed" ? result : null,
                run is null ? "" : null, state == "failed" ? validate.Error ?? "run " + validate.State : null);
            Bind(_event, flow.Run.Id, task, "running", Timestamp(start));
            Bind(_event, flow.Run.Id, task, state, Timestamp(end));
        }
    }

    private LetterShape Pick(LetterShape[] shapes)
    {
        int pick = random.Next(shapes.Sum(shape => shape.Weight));
        return shapes.First(shape => (pick -= shape.Weight) < 0);
    }

    private static string SourcePosition(RunPlan run, string input, double share)
    {
        long records = (long)(run.Read * share);
        return run.Shape == Shapes.Clicks
            ? Map(input, run.Shape.Position(run.Start, records))
            : FormattableString.Invariant($$"""{"file":"{{input}}","offset":{{records * 32}},"line":{{records + 1}}}""");
    }

    private static string SinkTokens(RunPlan run, List<StageTally> sinks, int checkpoint)
    {
        var tokens = sinks.ToDictionary(sink => sink.Stage, sink => sink.Stage == "table"
            ? FormattableString.Invariant($"sluice_{run.Id.Replace('-', '_')}_{checkpoint}")
            : $"[\"part-{run.Id}-{checkpoint - 1:00000}.parquet.inprogress\"]");
        return Map(tokens);
    }

    private static string Map(string key, string value) => CheckpointJson.WriteMap(new Dictionary<string, string> { [key] = value });

    private static string Map(Dictionary<string, string> map) => CheckpointJson.WriteMap(map);

    private static string CountsJson(List<StageTally> counts) => CheckpointJson.WriteCounts([.. counts.Select(t =>
        new StageCounts(t.Stage, SqliteValues.ParseStageKind(t.Kind), t.In, t.Out, t.Filtered, t.Dead, TimeSpan.FromMilliseconds(t.BusyMs)) { Retries = t.Retries })]);

    private static string Timestamp(DateTimeOffset value) => SqliteValues.Timestamp(value);

    private static SqliteCommand Prepare(SqliteConnection connection, string sql, int parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        for (int i = 1; i <= parameters; i++)
            command.Parameters.Add(new SqliteParameter("$" + i.ToString(CultureInfo.InvariantCulture), null));
        return command;
    }

    private static void Bind(SqliteCommand command, params object?[] values)
    {
        for (int i = 0; i < values.Length; i++)
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        command.ExecuteNonQuery();
    }
}
