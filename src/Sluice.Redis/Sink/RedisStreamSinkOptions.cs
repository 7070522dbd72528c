using System.Text;
using Apache.Arrow;
using Apache.Arrow.Types;
using Sluice.Extensibility;
using Sluice.Redis.Sink;

namespace Sluice.Redis;

/// <summary>
/// Options of the <c>redis_stream</c> sink, which appends each record to a stream as one entry (its columns as fields,
/// plus an id field derived from the record's origin), exactly once across crashes: a checkpoint's records are staged
/// in a list of their own and moved into the stream by a Lua script (atomic per chunk) that records a commit marker
/// when the list is empty, so committing a token twice, or resuming a commit cut short, adds nothing twice.
/// </summary>
public sealed record RedisStreamSinkOptions : ISinkOptions
{
    /// <summary>A StackExchange.Redis configuration string; may contain <c>${env:NAME}</c>, never printed.</summary>
    public required string Connection { get; init; }

    /// <summary>The stream key the records are appended to.</summary>
    public required string Stream { get; init; }

    /// <summary>Trim the stream to about this many entries as it grows (<c>XADD MAXLEN ~</c>); null to keep all.</summary>
    public long? MaxLen { get; init; }

    /// <summary>The field holding each record's origin (<c>input:position</c>), the same in every run. The default value is sluice_id.</summary>
    public string IdField { get; init; } = "sluice_id";

    internal SourceLocation? ConnectionLocation { get; init; }

    /// <summary>The declaration the pipeline file's <c>type: redis_stream</c> sink is checked, bound and documented by.</summary>
    public static ComponentSpec Spec { get; } = new("redis_stream", StageKind.Sink,
        "Appends each record to a Redis stream as one entry: its columns as fields (a null is left out), plus `id_field` holding the record's origin (`input:position`, the same in every run) for a consumer to deduplicate on. " +
        "Exactly once across crashes: a checkpoint's records are staged in a Redis list of their own (`sluice:staging:…`) and, once the checkpoint is committed, moved into the stream by a Lua script that pops and adds a chunk atomically and records a commit marker (`sluice:committed:…`, kept 7 days) when the list is empty; a commit cut short resumes where it stopped, a second commit finds the marker and adds nothing. " +
        "Entries appear in the stream when their checkpoint commits, in record order.",
        Shape.Object(
            new OptionSpec("connection", Shape.String,
                "A StackExchange.Redis configuration string (`host:port,password=…`). Put the password in an environment variable, `${env:NAME}`: it is read when the sink is built and never printed or stored.",
                Required: true, Example: "\"redis.example.com:6379,password=${env:REDIS_PASSWORD}\"", Secret: true),
            new OptionSpec("stream", Shape.String, "The stream key the records are appended to.", Required: true, Example: "orders-clean"),
            new OptionSpec("maxlen", Shape.Integer, "Trim the stream to about this many entries as it grows (`XADD MAXLEN ~ n`); without it the stream keeps every entry.", Example: "1000000"),
            new OptionSpec("id_field", Shape.String, "The field holding each record's origin (`input:position`), the same in every run, for consumers to deduplicate on.", Default: "sluice_id")),
        Bind,
        Example: "sink:\n  type: redis_stream\n  connection: \"localhost:6379\"\n  stream: orders-clean");

    private static RedisStreamSinkOptions Bind(ConfigNode node)
    {
        var options = new RedisStreamSinkOptions
        {
            Connection = node.GetString("connection")!,
            Stream = node.GetString("stream")!,
            MaxLen = node.GetInt64("maxlen"),
            IdField = node.GetString("id_field") ?? "sluice_id",
            ConnectionLocation = node["connection"]?.Location,
        };
        var problems = new List<Diagnostic>();
        if (options.Stream.Length == 0)
        {
            problems.Add(new Diagnostic(node["stream"]!.Location, "stream cannot be empty"));
        }
        if (options.IdField.Length == 0)
        {
            problems.Add(new Diagnostic(node["id_field"]!.Location, "id_field cannot be empty"));
        }
        if (options.MaxLen is <= 0)
        {
            problems.Add(new Diagnostic(node["maxlen"]!.Location, "maxlen must be at least 1"));
        }
        return problems.Count > 0 ? throw new PipelineException(problems) : options;
    }

    /// <summary>Checks the input's columns and reaches the server (unless the connection needs a secret that is not
    /// set while the pipeline is only checked).</summary>
    public ISink CreateSink(Schema input, BuildContext context)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(context);
        foreach (var field in input.FieldsList)
        {
            if (!EntryWriter.CanWrite(field.DataType))
            {
                throw new PipelineException(null, $"the redis_stream sink cannot write column '{field.Name}' of Arrow type {field.DataType.Name}; cast it to string, int64, float64, bool, date or timestamp before the sink");
            }
            if (field.Name == IdField)
            {
                throw new PipelineException(null, $"the input has a column '{IdField}', the field the sink fills with each record's origin: rename the column or set id_field");
            }
        }
        if (EnvironmentReferences.Expand(Connection, out string? missing) is not { } resolved)
        {
            if (!context.ResolveSecrets)
            {
                return new RedisStreamSink(this, null, input, context);
            }
            throw new PipelineException(ConnectionLocation, $"connection needs the environment variable {missing}, which is not set");
        }
        var connection = RedisConnection.TryParse(resolved, out string? problem)
            ?? throw new PipelineException(ConnectionLocation, $"connection: {problem}");
        if (connection.CheckAsync().GetAwaiter().GetResult() is { } unreachable)
        {
            throw new PipelineException(ConnectionLocation, context.StageName.Length == 0 ? unreachable : $"stage '{context.StageName}': {unreachable}");
        }
        return new RedisStreamSink(this, connection, input, context);
    }

    /// <summary>Everything but the connection string, which may hold a password.</summary>
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"Connection = (not shown), Stream = {Stream}, MaxLen = {MaxLen}, IdField = {IdField}");
        return true;
    }
}
