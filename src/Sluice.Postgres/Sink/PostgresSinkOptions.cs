using System.Net.Sockets;
using System.Text;
using Apache.Arrow;
using Npgsql;
using Sluice.Extensibility;
using Sluice.Postgres.Sink;

namespace Sluice.Postgres;

/// <summary>
/// Options of the <c>postgres</c> sink, which writes records into a PostgreSQL table by binary COPY, exactly once
/// across crashes: each checkpoint's records are copied into a staging table of their own, and committing the
/// checkpoint moves them into the table in one transaction that also records a commit marker, so a resumed run never
/// writes them twice. Checked when the pipeline is built (<c>sluice validate</c> too): the server is reached, and the
/// table must exist (or <see cref="Create"/>) and fit the input.
/// </summary>
public sealed record PostgresSinkOptions : ISinkOptions
{
    /// <summary>An Npgsql connection string (<c>Host=…;Port=…;Database=…;Username=…;Password=…</c>); may contain
    /// <c>${env:NAME}</c>, resolved when the sink is built and never printed.</summary>
    public required string Connection { get; init; }

    /// <summary>The table: <c>table</c> or <c>schema.table</c>, unquoted parts folded to lower case as SQL does,
    /// <c>"Quoted"</c> ones kept as written.</summary>
    public required string Table { get; init; }

    /// <summary>Append every record, or upsert by <see cref="Key"/>. The default value is append.</summary>
    public PostgresWriteMode Mode { get; init; } = PostgresWriteMode.Append;

    /// <summary>The columns that identify a record, for an upsert (a primary key or unique index of the table must
    /// have exactly these columns); empty for an append.</summary>
    public IReadOnlyList<string> Key { get; init; } = [];

    /// <summary>Create the table from the input's columns when it does not exist (with <see cref="Key"/> as its
    /// primary key). The default value is false.</summary>
    public bool Create { get; init; }

    internal SourceLocation? ConnectionLocation { get; init; }
    internal SourceLocation? TableLocation { get; init; }
    internal SourceLocation? ModeLocation { get; init; }
    internal SourceLocation? KeyLocation { get; init; }

    /// <summary>The declaration the pipeline file's <c>type: postgres</c> is checked, bound and documented by.</summary>
    public static ComponentSpec Spec { get; } = new("postgres", StageKind.Sink,
        "Writes records into a PostgreSQL table by binary COPY, exactly once across crashes: each checkpoint's records are copied into a staging table of their own, then moved into the table in one transaction with a commit marker (in `sluice_commits`, beside the table), so a resumed run never writes them twice. " +
        "`mode: upsert` keeps the last record of each `key` (INSERT … ON CONFLICT DO UPDATE). A record the table cannot take (a null in a NOT NULL column, text with a NUL byte, a number or text too large for its column) is dead-lettered (reason `sink`). " +
        "The table is checked when the pipeline is built, by `sluice validate` too: the server must answer within 5 s, and the table must exist (or `create: true`) with a column of a fitting type for every input column.",
        Shape.Object(
            new OptionSpec("connection", Shape.String,
                "The Npgsql connection string. Put the password in an environment variable, `${env:NAME}`: it is read when the sink is built and never printed or stored.",
                Required: true, Example: "\"Host=db.example.com;Database=shop;Username=loader;Password=${env:PG_PASSWORD}\"", Secret: true),
            new OptionSpec("table", Shape.String,
                "The table: `table` (found along the connection's search_path) or `schema.table`; unquoted names are folded to lower case as in SQL, `\"Quoted\"` ones are kept as written.",
                Required: true, Example: "public.orders"),
            new OptionSpec("mode", Shape.Enum("append", "upsert"),
                "`append` inserts every record; `upsert` inserts or updates by `key`, the last record of a key winning.", Default: "append", Example: "upsert"),
            new OptionSpec("key", Shape.ListOf(Shape.String),
                "For `mode: upsert` (and only then): the input columns that identify a record. The table needs a primary key or unique index on exactly these columns.",
                Example: "[order_id]"),
            new OptionSpec("create", Shape.Boolean,
                "Create the table when it does not exist, from the input's columns: int64 → bigint, float64 → double precision, decimal(p,s) → numeric(p,s), string → text, bool → boolean, date → date, timestamp → timestamptz; `key` becomes its primary key.",
                Default: "false")),
        Bind,
        Example: "sink:\n  type: postgres\n  connection: \"Host=db.example.com;Database=shop;Username=loader;Password=${env:PG_PASSWORD}\"\n  table: public.orders\n  mode: upsert\n  key: [order_id]");

    private static PostgresSinkOptions Bind(ConfigNode node) => new()
    {
        Connection = node.GetString("connection")!,
        Table = node.GetString("table")!,
        Mode = node.GetString("mode") == "upsert" ? PostgresWriteMode.Upsert : PostgresWriteMode.Append,
        Key = node.GetStrings("key") ?? [],
        Create = node.GetBool("create") ?? false,
        ConnectionLocation = node["connection"]?.Location,
        TableLocation = node["table"]?.Location,
        ModeLocation = node["mode"]?.Location ?? node.Location,
        KeyLocation = node["key"]?.Location,
    };

    /// <summary>Checks the options and the input, reaches the server and checks the table (creating it with
    /// <see cref="Create"/>, and the marker table, unless the pipeline is only checked); every problem is reported.</summary>
    public ISink CreateSink(Schema input, BuildContext context)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(context);
        var problems = new List<Diagnostic>();
        void Problem(SourceLocation? at, string message) =>
            problems.Add(new Diagnostic(at, at is null || context.StageName.Length == 0 ? message : $"stage '{context.StageName}': {message}"));

        var table = TableName.TryParse(Table, out string? tableProblem);
        if (table is null)
        {
            Problem(TableLocation, $"table: {tableProblem}");
        }
        CheckKey(input, Problem);
        CheckInput(input, Problem);
        if (problems.Count > 0)
        {
            throw new PipelineException(problems);
        }

        bool checkOnly = !context.ResolveSecrets;
        if (EnvironmentReferences.Expand(Connection, out string? missing) is not { } resolved)
        {
            if (checkOnly)
            {
                return new CheckedOnlySink(); // validate without the secret (in CI, say): the database is not checked
            }
            throw new PipelineException(ConnectionLocation, Located($"connection needs the environment variable {missing}, which is not set"));
        }
        var connection = ConnectionText.TryParse(resolved, out string? connectionProblem)
            ?? throw new PipelineException(ConnectionLocation, Located($"connection: {connectionProblem}"));

        TargetTable? target = null;
        try
        {
            using var open = new NpgsqlConnection(connection.ForCheck);
            open.Open();
            var misfits = new List<string>();
            target = TargetTable.Open(open, table!, input, this, mayCreate: !checkOnly, misfits);
            foreach (string misfit in misfits)
            {
                Problem(TableLocation, misfit);
            }
            if (target is not null && !checkOnly)
            {
                target.CreateMarkerTable(open);
            }
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException or IOException)
        {
            Problem(ConnectionLocation, connection.Describe(e));
        }
        if (problems.Count > 0)
        {
            throw new PipelineException(problems);
        }
        return target is null || checkOnly ? new CheckedOnlySink() : new PostgresSink(connection, target, Mode, context);

        string Located(string message) => ConnectionLocation is null || context.StageName.Length == 0 ? message : $"stage '{context.StageName}': {message}";
    }

    private void CheckKey(Schema input, Action<SourceLocation?, string> problem)
    {
        if (Mode == PostgresWriteMode.Append && Key.Count > 0)
        {
            problem(KeyLocation, "key is for mode: upsert; an append inserts every record: remove key, or set mode: upsert");
        }
        if (Mode == PostgresWriteMode.Upsert && Key.Count == 0)
        {
            problem(ModeLocation, "mode: upsert needs key: the input columns that identify a record, e.g. key: [id]");
        }
        foreach (string duplicate in Key.GroupBy(k => k, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key))
        {
            problem(KeyLocation, $"key names column '{duplicate}' twice");
        }
        var names = input.FieldsList.Select(f => f.Name).ToList();
        foreach (string key in Key.Distinct().Where(k => !names.Contains(k)))
        {
            problem(KeyLocation, $"key column '{key}' is not a column of the input (its columns: {string.Join(", ", names)})");
        }
    }

    private void CheckInput(Schema input, Action<SourceLocation?, string> problem)
    {
        foreach (var field in input.FieldsList)
        {
            if (ColumnTypes.InputOf(field.DataType) is null)
            {
                problem(null, $"the postgres sink cannot write column '{field.Name}' of Arrow type {field.DataType.Name}; cast it to one of bool, int64, float64, decimal, string, date, timestamp before the sink");
            }
            if (field.Name.Length == 0)
            {
                problem(null, "the input has a column without a name; name it (rename) before the sink");
            }
            else if (!TableName.CheckLength(field.Name, out string? tooLong))
            {
                problem(null, $"input column {tooLong}: rename it before the sink");
            }
            if (Mode == PostgresWriteMode.Upsert && field.Name == TargetTable.SequenceColumn)
            {
                problem(null, $"the input column '{TargetTable.SequenceColumn}' has the name an upsert's staging table uses for its own; rename it before the sink");
            }
        }
    }

    /// <summary>Everything but the connection string, which may hold a password.</summary>
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"Connection = (not shown), Table = {Table}, Mode = {Mode}, Key = [{string.Join(", ", Key)}], Create = {Create}");
        return true;
    }
}
