using System.Net.Sockets;
using System.Text;
using Apache.Arrow;
using Apache.Arrow.Types;
using Npgsql;
using Sluice.Extensibility;
using Sluice.Postgres.Source;

namespace Sluice.Postgres;

/// <summary>
/// Options of the <c>postgres</c> source, which reads a table or a query in pages ordered by a key (keyset
/// pagination: each page starts strictly after the last key read, so memory is one page whatever the table's size).
/// With a <see cref="Cursor"/> it is incremental: the position is the last cursor value read, and each run (each poll
/// under <c>--follow</c>) reads only the rows added or changed since the last committed checkpoint. Without one, a
/// table is read whole every run, in the order of its primary key. Checked when the pipeline is built
/// (<c>sluice validate</c> too): the server is reached, and the table or query, its columns and the cursor checked.
/// </summary>
public sealed record PostgresSourceOptions : ISourceOptions
{
    /// <summary>An Npgsql connection string (<c>Host=…;Port=…;Database=…;Username=…;Password=…</c>); may contain
    /// <c>${env:NAME}</c>, resolved when the source is built and never printed.</summary>
    public required string Connection { get; init; }

    /// <summary>The table (or view) to read: <c>table</c> or <c>schema.table</c>; exactly one of this and <see cref="Query"/>.</summary>
    public string? Table { get; init; }

    /// <summary>A SELECT to read (without ORDER BY: the source orders by the cursor); exactly one of this and <see cref="Table"/>.</summary>
    public string? Query { get; init; }

    /// <summary>The columns to emit; null for all of them (or, before a contract that does not keep unknown fields,
    /// the ones it names).</summary>
    public IReadOnlyList<string>? Columns { get; init; }

    /// <summary>The cursor: a column that grows with every change (<c>updated_at</c>) followed by key columns that
    /// make it identify a row (<c>id</c>), compared as a tuple. Empty (the default) for a full read of a table each run.</summary>
    public IReadOnlyList<string> Cursor { get; init; } = [];

    /// <summary>Read only rows whose first cursor column (a timestamp) is older than this, so that a transaction that
    /// stamped a row before committing it has committed before the row is passed; null (the default) for none.</summary>
    public TimeSpan? Settle { get; init; }

    /// <summary>Rows per page and at most per batch; null for the pipeline's batch size.</summary>
    public int? BatchSize { get; init; }

    internal SourceLocation? ConnectionLocation { get; init; }
    internal SourceLocation? TableLocation { get; init; }
    internal SourceLocation? QueryLocation { get; init; }
    internal SourceLocation? ColumnsLocation { get; init; }
    internal SourceLocation? CursorLocation { get; init; }
    internal SourceLocation? SettleLocation { get; init; }

    /// <summary>The declaration the pipeline file's <c>type: postgres</c> source is checked, bound and documented by.</summary>
    public static ComponentSpec Spec { get; } = new("postgres", StageKind.Source,
        "Reads a PostgreSQL table or query in pages of `batch_size` rows, ordered by a key and each starting strictly after the last key read (`WHERE (k1, k2) > ($1, $2) ORDER BY k1, k2 LIMIT n`): memory is one page whatever the table's size, and with an index on the key each page is an index range scan. " +
        "With `cursor` the source is incremental: its position is the last cursor value read, and each run — each poll under `--follow` — reads only the rows added or changed since the last committed checkpoint, exactly once across crashes. " +
        "Rows with the newest value of the first cursor column wait until a newer value exists (more rows may still be committed with it, and reading some now would skip a later one with a smaller key); with `settle` they wait until they are that old instead, and a first column that is unique on its own does not wait. " +
        "**The cursor must grow in commit order**: a row committed later with a smaller cursor than one already read is missed (e.g. `updated_at = now()` set early in a long transaction); `settle` guards against that. " +
        "Without `cursor` a table is read whole every run, in the order of its primary key (a resumed run goes on after the last key of its checkpoint). " +
        "Column types: boolean → bool; smallint, integer, bigint → int64; real, double precision → float64; numeric(p,s) with p ≤ 28 → decimal; date → date; timestamptz → timestamp, timestamp → timestamp read as UTC; text, varchar, char → string; every other type (uuid, json, interval, arrays, unconstrained numeric, …) → string, as PostgreSQL writes it. " +
        "A value Sluice cannot hold (NaN, infinity, a year after 9999) makes its row a dead letter (reason `parse`); dead letters keep the row as a JSON object, and `sluice dlq replay` reads that object back. The record's origin is the table (or `query:stage`) and its key.",
        Shape.Object(
            new OptionSpec("connection", Shape.String,
                "The Npgsql connection string. Put the password in an environment variable, `${env:NAME}`: it is read when the source is built and never printed or stored. The source's sessions use `DateStyle=ISO`.",
                Required: true, Example: "\"Host=db.example.com;Database=shop;Username=reader;Password=${env:PG_PASSWORD}\"", Secret: true),
            new OptionSpec("table", Shape.String,
                "The table or view to read: `table` (found along the connection's search_path) or `schema.table`; unquoted names are folded to lower case as in SQL, `\"Quoted\"` ones are kept as written. Exactly one of `table` and `query`.",
                Example: "public.orders"),
            new OptionSpec("query", Shape.String,
                "A SELECT to read instead of a table, without ORDER BY or LIMIT (the source pages it by `cursor`, which it needs), e.g. `SELECT o.id, o.updated_at, c.name FROM orders o JOIN customers c ON c.id = o.customer_id`. Rows whose cursor columns are null are not read."),
            new OptionSpec("columns", Shape.ListOf(Shape.String),
                "The columns to emit. By default all of them, or, when a contract that drops or rejects unknown fields follows, the ones it names.",
                Example: "[id, amount, updated_at]"),
            new OptionSpec("cursor", Shape.ListOf(Shape.String),
                "The columns to read incrementally by, compared as a tuple: first a column that grows with every insert and update (`updated_at`, a sequence), then key columns that make the tuple identify a row (`id`), so that rows with equal values are never skipped. Of an integer, numeric, date, timestamp, text or uuid type; for a table they must be NOT NULL and include a unique index's columns. Each run reads the rows after the last cursor value committed. " +
                "Rows with the newest value of the first column are read once a newer value exists (or, with `settle`, once they are old enough), so that rows committed later with that same value are not skipped. " +
                "The cursor must grow in commit order: a row committed after a row with a larger cursor was read is missed. Without `cursor`, a table is read whole each run.",
                Example: "[updated_at, id]"),
            new OptionSpec("settle", Shape.String,
                "Read only rows whose first cursor column (a timestamp) is older than this: a row stamped by a transaction that takes less than `settle` to commit is still read, at the cost of that delay; the newest rows then no longer wait for a newer value. `timestamptz` is compared with `now()`, `timestamp` with `localtimestamp`.",
                Example: "30s"),
            new OptionSpec("batch_size", Shape.Integer, "Rows read per page, and at most per batch; the pipeline's batch size by default.", Example: "5000")),
        Bind,
        Example: "source:\n  type: postgres\n  connection: \"Host=db.example.com;Database=shop;Username=reader;Password=${env:PG_PASSWORD}\"\n  table: public.orders\n  cursor: [updated_at, id]");

    private static PostgresSourceOptions Bind(ConfigNode node)
    {
        var options = new PostgresSourceOptions
        {
            Connection = node.GetString("connection")!,
            Table = node.GetString("table"),
            Query = node.GetString("query"),
            Columns = node.GetStrings("columns"),
            Cursor = node.GetStrings("cursor") ?? [],
            Settle = node.GetDuration("settle"),
            BatchSize = node.GetInt64("batch_size") is { } size ? (int)Math.Clamp(size, 0, int.MaxValue) : null,
            ConnectionLocation = node["connection"]?.Location,
            TableLocation = node["table"]?.Location,
            QueryLocation = node["query"]?.Location,
            ColumnsLocation = node["columns"]?.Location,
            CursorLocation = node["cursor"]?.Location,
            SettleLocation = node["settle"]?.Location,
        };
        var problems = options.CheckOptions().Select(p => new Diagnostic(p.At ?? node.Location, p.Message)).ToList();
        return problems.Count > 0 ? throw new PipelineException(problems) : options;
    }

    /// <summary>The problems of the options on their own, before any server is asked.</summary>
    private List<(SourceLocation? At, string Message)> CheckOptions()
    {
        var problems = new List<(SourceLocation?, string)>();
        if ((Table is null) == (Query is null))
        {
            problems.Add((TableLocation ?? QueryLocation, Table is null
                ? "the postgres source needs table: (a table or view) or query: (a SELECT)"
                : "give either table: or query:, not both"));
        }
        if (Query is not null && Query.Trim().TrimEnd(';').Trim().Length == 0)
        {
            problems.Add((QueryLocation, "query is empty; write a SELECT"));
        }
        if (CursorLocation is not null && Cursor.Count == 0)
        {
            problems.Add((CursorLocation, "cursor: name at least one column, e.g. cursor: [updated_at, id]"));
        }
        foreach (string twice in Cursor.GroupBy(c => c, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key))
        {
            problems.Add((CursorLocation, $"cursor names column '{twice}' twice"));
        }
        if (Columns is { Count: 0 })
        {
            problems.Add((ColumnsLocation, "columns: name at least one column, or leave columns out to read them all"));
        }
        if (BatchSize is <= 0)
        {
            problems.Add((null, "batch_size must be at least 1"));
        }
        if (Settle is { } settle && settle <= TimeSpan.Zero)
        {
            problems.Add((SettleLocation, "settle must be longer than 0 (or left out)"));
        }
        return problems;
    }

    /// <summary>Checks the options, reaches the server and describes what is read (unless the connection needs a secret
    /// that is not set while the pipeline is only checked); every problem is reported together.</summary>
    public ISource CreateSource(BuildContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var problems = new List<Diagnostic>();
        void Problem(SourceLocation? at, string message) =>
            problems.Add(new Diagnostic(at, at is null || context.StageName.Length == 0 ? message : $"stage '{context.StageName}': {message}"));

        foreach (var (at, message) in CheckOptions())
        {
            Problem(at, message);
        }
        TableName? table = null;
        if (Table is not null && (table = TableName.TryParse(Table, out string? tableProblem)) is null)
        {
            Problem(TableLocation, $"table: {tableProblem}");
        }
        if (problems.Count > 0)
        {
            throw new PipelineException(problems);
        }

        if (EnvironmentReferences.Expand(Connection, out string? missing) is not { } resolved)
        {
            if (!context.ResolveSecrets && (Columns ?? context.ReadHint?.Columns) is { } names)
            {
                // validate without the secret (in CI, say): the database is not asked; the contract types the columns.
                return new CheckedOnlySource(new Schema(names.Select(n => new Field(n, StringType.Default, nullable: true)), null));
            }
            Problem(ConnectionLocation, context.ResolveSecrets
                ? $"connection needs the environment variable {missing}, which is not set"
                : $"connection needs the environment variable {missing} to ask the database for the source's columns; set it, or name them (columns:, or a contract after the source)");
            throw new PipelineException(problems);
        }
        var connection = ConnectionText.TryParse(resolved, out string? connectionProblem)?.WithSessionSetting("DateStyle", "ISO");
        if (connection is null)
        {
            Problem(ConnectionLocation, $"connection: {connectionProblem}");
            throw new PipelineException(problems);
        }

        ReadPlan? plan = null;
        try
        {
            using var open = new NpgsqlConnection(connection.ForCheck);
            open.Open();
            plan = ReadPlan.Describe(open, this, table, context.StageName, context.ReadHint, (part, message) => Problem(part switch
            {
                SourceOptionsPart.Table => TableLocation,
                SourceOptionsPart.Query => QueryLocation,
                SourceOptionsPart.Columns => ColumnsLocation ?? TableLocation ?? QueryLocation,
                SourceOptionsPart.Cursor => CursorLocation,
                SourceOptionsPart.Settle => SettleLocation,
                _ => ConnectionLocation,
            }, message));
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException or IOException)
        {
            Problem(ConnectionLocation, connection.Describe(e));
        }
        if (problems.Count > 0 || plan is null)
        {
            throw new PipelineException(problems);
        }
        return new PostgresSource(connection, plan, BatchSize, context);
    }

    /// <summary>Everything but the connection string, which may hold a password.</summary>
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"Connection = (not shown), Table = {Table}, Query = {Query}, Columns = [{string.Join(", ", Columns ?? [])}], Cursor = [{string.Join(", ", Cursor)}], Settle = {Settle}, BatchSize = {BatchSize}");
        return true;
    }
}
