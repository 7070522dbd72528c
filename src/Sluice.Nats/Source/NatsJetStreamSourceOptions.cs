using System.Text;
using Sluice.Extensibility;
using Sluice.Nats.Source;

namespace Sluice.Nats;

/// <summary>Where a consumer that Sluice creates, for a pipeline that has no position yet, starts in the stream.</summary>
public enum NatsJetStreamStart
{
    /// <summary>At the stream's first message.</summary>
    All,

    /// <summary>After the stream's last message at the time.</summary>
    New,
}

/// <summary>
/// Options of the <c>nats_jetstream</c> source, which reads a JetStream stream through a durable pull consumer,
/// exactly once across crashes and runs: its position is the stream sequence of the last message delivered,
/// messages are delivered in ascending sequence order, and they are acknowledged only after the checkpoint that covers
/// them has committed. Each message's payload is a JSON object whose keys become string columns for the contract
/// downstream to type.
/// </summary>
public sealed record NatsJetStreamSourceOptions : ISourceOptions
{
    /// <summary>The server's url (<c>nats://host:4222</c>, several separated by commas); may contain <c>${env:NAME}</c>.</summary>
    public required string Url { get; init; }

    /// <summary>The user name, with <see cref="Password"/>; null for none.</summary>
    public string? User { get; init; }

    /// <summary>The password; best written <c>${env:NAME}</c>. Never printed or stored.</summary>
    public string? Password { get; init; }

    /// <summary>An authentication token, instead of a user and password. Never printed or stored.</summary>
    public string? Token { get; init; }

    /// <summary>The JetStream stream to read.</summary>
    public required string Stream { get; init; }

    /// <summary>Read only messages of these subjects (wildcards allowed); null or empty for every message of the stream.</summary>
    public IReadOnlyList<string>? Subjects { get; init; }

    /// <summary>The durable consumer's name; null for <c>sluice_{pipeline}_{stage}</c>.</summary>
    public string? Consumer { get; init; }

    /// <summary>Where a consumer created for a pipeline without a position starts. The default value is all.</summary>
    public NatsJetStreamStart Start { get; init; } = NatsJetStreamStart.All;

    /// <summary>Messages fetched per request, and at most per batch; null for the pipeline's batch size.</summary>
    public int? BatchSize { get; init; }

    /// <summary>How long a delivered message may wait for its checkpoint before the server delivers it again. The default value is 5 minutes.</summary>
    public TimeSpan AckWait { get; init; } = DefaultAckWait;

    /// <summary>A payload of more bytes is a dead letter. The default value is 1 MiB.</summary>
    public long MaxMessageBytes { get; init; } = DefaultMaxMessageBytes;

    /// <summary>The columns, when no contract follows the source to name them.</summary>
    public IReadOnlyList<string>? Columns { get; init; }

    internal const long DefaultMaxMessageBytes = 1 << 20;

    internal static readonly TimeSpan DefaultAckWait = TimeSpan.FromMinutes(5);

    internal SourceLocation? UrlLocation { get; init; }

    /// <summary>The declaration the pipeline file's <c>type: nats_jetstream</c> source is checked, bound and documented by.</summary>
    public static ComponentSpec Spec { get; } = new("nats_jetstream", StageKind.Source,
        "Reads a NATS JetStream stream through a durable pull consumer, exactly once across crashes and runs: messages are delivered in ascending stream sequence, the position is the sequence of the last message delivered, and messages are acknowledged only once the checkpoint covering them has committed. " +
        "At the start of a run the consumer is checked against the pipeline's position: when it delivered messages past it that no checkpoint covers (a run died, or acknowledgements were lost), it is created again to start right after the position, so those messages are read once more, in order. The consumer belongs to the pipeline: do not share it. Streams with `interest` retention are refused (recreating a consumer would drop their messages). " +
        "Without `--follow` a run reads what the stream holds when it starts and ends; with it, it polls. " +
        "Each message's payload is one JSON object, whose keys become string columns (the contract's fields, or `columns`) for the contract to type: a string's value, a number or boolean as written, a nested object or array as its JSON text. The record's origin is the stream and `sequence:subject`. A payload that is not UTF-8, not a JSON object, repeats a key, has a key the contract does not name (unless it drops them) or exceeds `max_message_bytes` is dead-lettered with its bytes, and `sluice dlq replay` parses them again.",
        Shape.Object(
            new OptionSpec("url", Shape.String,
                "The NATS server's url, `nats://host:4222` (several separated by commas; `tls://` for TLS). May be `${env:NAME}`; credentials in it are never printed.",
                Required: true, Example: "\"nats://nats.example.com:4222\"", Secret: true),
            new OptionSpec("user", Shape.String, "The user name to log in with (with `password`).", Example: "loader", Secret: true),
            new OptionSpec("password", Shape.String, "The password (with `user`). Put it in an environment variable, `${env:NAME}`: it is read when the source is built and never printed or stored.",
                Example: "\"${env:NATS_PASSWORD}\"", Secret: true),
            new OptionSpec("token", Shape.String, "An authentication token, instead of `user` and `password`; `${env:NAME}` as for `password`.", Example: "\"${env:NATS_TOKEN}\"", Secret: true),
            new OptionSpec("stream", Shape.String, "The JetStream stream to read; it must exist.", Required: true, Example: "ORDERS"),
            new OptionSpec("subjects", Shape.ListOf(Shape.String), "Read only the stream's messages of these subjects (wildcards `*` and `>` allowed); every message by default. More than one needs nats-server 2.10 or later.", Example: "[orders.eu.>]"),
            new OptionSpec("consumer", Shape.String,
                "The durable consumer's name (letters, digits, `_` and `-`); created when missing. The default is `sluice_{pipeline}_{stage}`. It belongs to this pipeline: a run may delete and create it again to move it back to the pipeline's position.",
                Example: "orders_loader"),
            new OptionSpec("start", Shape.Enum("all", "new"), "Where a consumer created for a pipeline that has no position yet starts: at the stream's first message, or after its last one. Later runs start after the pipeline's position.", Default: "all"),
            new OptionSpec("batch_size", Shape.Integer, "Messages fetched per request, and at most per batch; the pipeline's batch size by default.", Example: "1000"),
            new OptionSpec("ack_wait", Shape.String,
                "How long a delivered message may wait for the checkpoint that covers it before the server delivers it again (which the source then skips). Make it longer than `checkpoint.every_seconds`, or redeliveries only cost traffic.",
                Default: "5m", Example: "10m"),
            new OptionSpec("max_message_bytes", Shape.Integer, "A payload of more bytes is dead-lettered (rule `too_large`) with its bytes.", Default: "1048576"),
            new OptionSpec("columns", Shape.ListOf(Shape.String), "The keys to read, when no contract follows the source (a contract's fields are used otherwise).")),
        Bind,
        Example: "source:\n  type: nats_jetstream\n  url: \"nats://localhost:4222\"\n  user: loader\n  password: \"${env:NATS_PASSWORD}\"\n  stream: ORDERS\n  subjects: [orders.>]");

    private static NatsJetStreamSourceOptions Bind(ConfigNode node)
    {
        var options = new NatsJetStreamSourceOptions
        {
            Url = node.GetString("url")!,
            User = node.GetString("user"),
            Password = node.GetString("password"),
            Token = node.GetString("token"),
            Stream = node.GetString("stream")!,
            Subjects = node.GetStrings("subjects"),
            Consumer = node.GetString("consumer"),
            Start = node.GetString("start") == "new" ? NatsJetStreamStart.New : NatsJetStreamStart.All,
            BatchSize = node.GetInt64("batch_size") is { } size ? (int)Math.Clamp(size, 0, int.MaxValue) : null,
            AckWait = node.GetDuration("ack_wait") ?? DefaultAckWait,
            MaxMessageBytes = node.GetInt64("max_message_bytes") ?? DefaultMaxMessageBytes,
            Columns = node.GetStrings("columns"),
            UrlLocation = node["url"]?.Location,
        };
        var problems = new List<Diagnostic>();
        if (!NatsNames.IsValidName(options.Stream))
        {
            problems.Add(new Diagnostic(node["stream"]!.Location, $"stream: '{options.Stream}' is not a stream name (no spaces, '.', '*', '>', '/' or '\\')"));
        }
        if (options.Consumer is { } consumer && !NatsNames.IsValidName(consumer))
        {
            problems.Add(new Diagnostic(node["consumer"]!.Location, $"consumer: '{consumer}' is not a durable name: use letters, digits, '_' and '-'"));
        }
        foreach (string subject in options.Subjects ?? [])
        {
            if (!NatsNames.IsValidSubject(subject))
            {
                problems.Add(new Diagnostic(node["subjects"]!.Location, $"subjects: '{subject}' is not a subject (tokens separated by '.', no spaces; '*' for one token, '>' at the end for the rest)"));
            }
        }
        if (options.BatchSize is <= 0)
        {
            problems.Add(new Diagnostic(node["batch_size"]!.Location, "batch_size must be at least 1"));
        }
        if (options.MaxMessageBytes <= 0)
        {
            problems.Add(new Diagnostic(node["max_message_bytes"]!.Location, "max_message_bytes must be at least 1"));
        }
        if (options.AckWait < TimeSpan.FromSeconds(1))
        {
            problems.Add(new Diagnostic(node["ack_wait"]!.Location, "ack_wait must be at least 1s"));
        }
        return problems.Count > 0 ? throw new PipelineException(problems) : options;
    }

    /// <summary>Checks the options, and reaches the server (unless a credential needs a secret that is not set while
    /// the pipeline is only checked): it must answer, accept the credentials, have JetStream and the stream.</summary>
    public ISource CreateSource(BuildContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var fields = Fields(context.ReadHint)
            ?? throw new PipelineException(null, "the nats_jetstream source needs to know its columns: follow it with a contract, or list `columns`");
        var access = NatsAccessOf.Resolve(Url, User, Password, Token, UrlLocation, context);
        if (access is null)
        {
            return new NatsJetStreamSource(this, null, fields, context); // validate without the secrets: the server is not checked
        }
        if (access.CheckAsync((js, ct) => NatsJetStreamSource.CheckStreamAsync(js, access, this, ct)).GetAwaiter().GetResult() is { } problem)
        {
            throw new PipelineException(UrlLocation, NatsAccessOf.Located(context, problem));
        }
        return new NatsJetStreamSource(this, access, fields, context);
    }

    private MessageFields? Fields(SourceReadHint? hint)
    {
        if (hint is not null)
        {
            return new MessageFields(hint.Columns, hint.UnknownFields == UnknownFields.Drop, "the contract's fields; name it in the contract", MaxMessageBytes);
        }
        return Columns is null ? null : new MessageFields(Columns, false, "`columns`; add it there", MaxMessageBytes);
    }

    /// <summary>Everything but the url and the credentials, which may hold secrets.</summary>
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"Url = (not shown), User = {(User is null ? "" : "(not shown)")}, Password = {(Password is null ? "" : "(not shown)")}, Token = {(Token is null ? "" : "(not shown)")}, Stream = {Stream}, Subjects = [{string.Join(", ", Subjects ?? [])}], Consumer = {Consumer}, Start = {Start}, BatchSize = {BatchSize}, AckWait = {AckWait}, MaxMessageBytes = {MaxMessageBytes}");
        return true;
    }
}
