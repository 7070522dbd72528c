using System.Text;
using Sluice.Extensibility;
using Sluice.Redis.Source;

namespace Sluice.Redis;

/// <summary>Where a consumer group that Sluice creates starts reading a stream.</summary>
public enum RedisStreamStart
{
    /// <summary>At the stream's first entry (<c>XGROUP CREATE … 0</c>).</summary>
    Earliest,

    /// <summary>After the stream's last entry at the time (<c>XGROUP CREATE … $</c>).</summary>
    Latest,
}

/// <summary>
/// Options of the <c>redis_stream</c> source, which reads Redis streams through a consumer group, exactly once across
/// crashes and runs: its position is the id of the last entry delivered per stream, entries are delivered in
/// ascending id order, and they are acknowledged (XACK) only after the checkpoint that covers them has committed.
/// Each entry's fields become string columns for the contract downstream to type.
/// </summary>
public sealed record RedisStreamSourceOptions : ISourceOptions
{
    /// <summary>A StackExchange.Redis configuration string (<c>host:port,password=…</c>); may contain
    /// <c>${env:NAME}</c>, resolved when the source is built and never printed.</summary>
    public required string Connection { get; init; }

    /// <summary>The stream keys to read.</summary>
    public required IReadOnlyList<string> Streams { get; init; }

    /// <summary>The consumer group (created on each stream when it does not exist).</summary>
    public required string Group { get; init; }

    /// <summary>This reader's consumer name in the group; null for <c>{machine}/{pipeline}/{stage}</c>.</summary>
    public string? Consumer { get; init; }

    /// <summary>Where a group Sluice creates starts. The default value is earliest.</summary>
    public RedisStreamStart Start { get; init; } = RedisStreamStart.Earliest;

    /// <summary>How long another consumer's entry must have been pending before a run claims it. The default value is 1 minute.</summary>
    public TimeSpan ClaimIdle { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Entries read per request and at most per batch; null for the pipeline's batch size.</summary>
    public int? BatchSize { get; init; }

    /// <summary>An entry whose field names and values hold more bytes is a dead letter. The default value is 1 MiB.</summary>
    public long MaxEntryBytes { get; init; } = DefaultMaxEntryBytes;

    /// <summary>The columns, when no contract follows the source to name them.</summary>
    public IReadOnlyList<string>? Columns { get; init; }

    internal const long DefaultMaxEntryBytes = 1 << 20;

    internal SourceLocation? ConnectionLocation { get; init; }

    /// <summary>The declaration the pipeline file's <c>type: redis_stream</c> source is checked, bound and documented by.</summary>
    public static ComponentSpec Spec { get; } = new("redis_stream", StageKind.Source,
        "Reads Redis streams through a consumer group, exactly once across crashes and runs: entries are delivered in ascending id order per stream, the position is the last entry id delivered per stream, and entries are acknowledged (XACK) only once the checkpoint covering them has committed. " +
        "A run first takes over its own pending entries (acknowledging those a committed checkpoint already covers), claims other consumers' entries pending longer than `claim_idle`, then reads new entries. Without `--follow` it ends when nothing new is there; with it, it polls. " +
        "Each entry's fields become string columns (the contract's fields, or `columns`); the record's origin is the stream key and the entry id. An entry whose fields are not UTF-8 text, repeat a name, name an unknown field (unless the contract drops them) or exceed `max_entry_bytes` is dead-lettered with its fields as a JSON object, and `sluice dlq replay` reads that object back.",
        Shape.Object(
            new OptionSpec("connection", Shape.String,
                "A StackExchange.Redis configuration string: `host:port`, with options such as `password=…`, `user=…`, `ssl=true`. Put the password in an environment variable, `${env:NAME}`: it is read when the source is built and never printed or stored.",
                Required: true, Example: "\"redis.example.com:6379,password=${env:REDIS_PASSWORD}\"", Secret: true),
            new OptionSpec("streams", Shape.ListOf(Shape.String), "The stream keys to read (one or more); a missing stream is created empty with the group.", Required: true, Example: "[orders]"),
            new OptionSpec("group", Shape.String, "The consumer group; created on each stream when it does not exist (see `start`).", Required: true, Example: "sluice"),
            new OptionSpec("consumer", Shape.String,
                "This reader's consumer name in the group. The default, `{machine}/{pipeline}/{stage}`, is stable across runs on one machine; a run that finds the previous run's entries under another name (the pipeline moved machines) takes them over, since only one run of a pipeline is alive at a time.",
                Example: "loader-1"),
            new OptionSpec("start", Shape.Enum("earliest", "latest"), "Where a group that Sluice creates starts: at the stream's first entry, or after its last one. An existing group keeps its place.", Default: "earliest"),
            new OptionSpec("claim_idle", Shape.String,
                "Entries another consumer of the group has had pending for longer than this are claimed and read when a run starts (only then). Make it longer than that consumer takes to process an entry.",
                Default: "1m", Example: "5m"),
            new OptionSpec("batch_size", Shape.Integer, "Entries read per request, and at most per batch; the pipeline's batch size by default.", Example: "1000"),
            new OptionSpec("max_entry_bytes", Shape.Integer,
                "An entry whose field names and values hold more bytes is dead-lettered (rule `too_large`), keeping this many bytes of it.", Default: "1048576"),
            new OptionSpec("columns", Shape.ListOf(Shape.String), "The fields to read, when no contract follows the source (a contract's fields are used otherwise).")),
        Bind,
        Example: "source:\n  type: redis_stream\n  connection: \"localhost:6379,password=${env:REDIS_PASSWORD}\"\n  streams: [orders]\n  group: sluice");

    private static RedisStreamSourceOptions Bind(ConfigNode node)
    {
        var options = new RedisStreamSourceOptions
        {
            Connection = node.GetString("connection")!,
            Streams = node.GetStrings("streams")!,
            Group = node.GetString("group")!,
            Consumer = node.GetString("consumer"),
            Start = node.GetString("start") == "latest" ? RedisStreamStart.Latest : RedisStreamStart.Earliest,
            ClaimIdle = node.GetDuration("claim_idle") ?? TimeSpan.FromMinutes(1),
            BatchSize = node.GetInt64("batch_size") is { } size ? (int)Math.Clamp(size, 0, int.MaxValue) : null,
            MaxEntryBytes = node.GetInt64("max_entry_bytes") ?? DefaultMaxEntryBytes,
            Columns = node.GetStrings("columns"),
            ConnectionLocation = node["connection"]?.Location,
        };
        var problems = new List<Diagnostic>();
        if (options.Streams.Count == 0)
        {
            problems.Add(new Diagnostic(node["streams"]!.Location, "streams: name at least one stream key"));
        }
        if (options.Streams.Any(string.IsNullOrEmpty))
        {
            problems.Add(new Diagnostic(node["streams"]!.Location, "streams: a stream key cannot be empty"));
        }
        if (options.Group.Length == 0)
        {
            problems.Add(new Diagnostic(node["group"]!.Location, "group cannot be empty"));
        }
        if (options.Consumer is { Length: 0 })
        {
            problems.Add(new Diagnostic(node["consumer"]!.Location, "consumer cannot be empty: leave it out for the default"));
        }
        foreach (string twice in options.Streams.GroupBy(s => s, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key))
        {
            problems.Add(new Diagnostic(node["streams"]!.Location, $"streams: '{twice}' is listed twice"));
        }
        if (options.BatchSize is <= 0)
        {
            problems.Add(new Diagnostic(node["batch_size"]!.Location, "batch_size must be at least 1"));
        }
        if (options.MaxEntryBytes <= 0)
        {
            problems.Add(new Diagnostic(node["max_entry_bytes"]!.Location, "max_entry_bytes must be at least 1"));
        }
        if (options.ClaimIdle < TimeSpan.Zero)
        {
            problems.Add(new Diagnostic(node["claim_idle"]!.Location, "claim_idle cannot be negative"));
        }
        return problems.Count > 0 ? throw new PipelineException(problems) : options;
    }

    /// <summary>Checks the options, and reaches the server (unless the connection needs a secret that is not set
    /// while the pipeline is only checked).</summary>
    public ISource CreateSource(BuildContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var fields = Fields(context.ReadHint)
            ?? throw new PipelineException(null, "the redis_stream source needs to know its columns: follow it with a contract, or list `columns`");
        if (EnvironmentReferences.Expand(Connection, out string? missing) is not { } resolved)
        {
            if (!context.ResolveSecrets)
            {
                return new RedisStreamSource(this, null, fields, context); // validate without the secret: the server is not checked
            }
            throw new PipelineException(ConnectionLocation, Located(context, $"connection needs the environment variable {missing}, which is not set"));
        }
        var connection = RedisConnection.TryParse(resolved, out string? problem)
            ?? throw new PipelineException(ConnectionLocation, Located(context, $"connection: {problem}"));
        if (connection.CheckAsync().GetAwaiter().GetResult() is { } unreachable)
        {
            throw new PipelineException(ConnectionLocation, Located(context, unreachable));
        }
        return new RedisStreamSource(this, connection, fields, context);
    }

    private EntryFields? Fields(SourceReadHint? hint)
    {
        if (hint is not null)
        {
            return new EntryFields(hint.Columns, hint.UnknownFields == UnknownFields.Drop, "the contract's fields; name it in the contract", MaxEntryBytes);
        }
        return Columns is null ? null : new EntryFields(Columns, false, "`columns`; add it there", MaxEntryBytes);
    }

    private static string Located(BuildContext context, string message) =>
        context.StageName.Length == 0 ? message : $"stage '{context.StageName}': {message}";

    /// <summary>Everything but the connection string, which may hold a password.</summary>
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"Connection = (not shown), Streams = [{string.Join(", ", Streams)}], Group = {Group}, Consumer = {Consumer}, Start = {Start}, ClaimIdle = {ClaimIdle}, BatchSize = {BatchSize}, MaxEntryBytes = {MaxEntryBytes}");
        return true;
    }
}
