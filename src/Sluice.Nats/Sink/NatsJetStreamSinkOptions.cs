using System.Text;
using Apache.Arrow;
using NATS.Client.JetStream;
using Sluice.Extensibility;
using Sluice.Nats.Sink;

namespace Sluice.Nats;

/// <summary>
/// Options of the <c>nats_jetstream</c> sink, which publishes each record as a JSON object to a subject that a
/// JetStream stream stores, with a <c>Nats-Msg-Id</c> derived from the record's origin. A checkpoint's records are
/// staged in a local file and published only once the checkpoint is stored; a commit repeated after a crash is
/// dropped by the stream's duplicate window.
/// </summary>
public sealed record NatsJetStreamSinkOptions : ISinkOptions
{
    /// <summary>The server's url (<c>nats://host:4222</c>); may contain <c>${env:NAME}</c>.</summary>
    public required string Url { get; init; }

    /// <summary>The user name, with <see cref="Password"/>; null for none.</summary>
    public string? User { get; init; }

    /// <summary>The password; best written <c>${env:NAME}</c>. Never printed or stored.</summary>
    public string? Password { get; init; }

    /// <summary>An authentication token, instead of a user and password. Never printed or stored.</summary>
    public string? Token { get; init; }

    /// <summary>The subject every record is published to.</summary>
    public required string Subject { get; init; }

    /// <summary>The stream expected to store the subject; null for whichever stream does.</summary>
    public string? Stream { get; init; }

    /// <summary>The shortest duplicate window the stream may have. The default value is 2 minutes (the NATS default).</summary>
    public TimeSpan MinDuplicateWindow { get; init; } = DefaultMinDuplicateWindow;

    /// <summary>Where checkpoints' messages wait for their commit, relative to the pipeline file. The default value is .sluice/nats-staging.</summary>
    public string StagingPath { get; init; } = DefaultStagingPath;

    internal const string DefaultStagingPath = ".sluice/nats-staging";

    internal static readonly TimeSpan DefaultMinDuplicateWindow = TimeSpan.FromMinutes(2);

    internal SourceLocation? UrlLocation { get; init; }

    /// <summary>The declaration the pipeline file's <c>type: nats_jetstream</c> sink is checked, bound and documented by.</summary>
    public static ComponentSpec Spec { get; } = new("nats_jetstream", StageKind.Sink,
        "Publishes each record as a JSON object (the `jsonl` sink's encoding) to a subject that a JetStream stream stores, with the header `Nats-Msg-Id: sluice:{pipeline}:{stage}:{input}:{position}` — the record's origin, the same in every run. " +
        "A checkpoint's records are staged in a local file (under `staging_path`, fsynced when the checkpoint is prepared) and published, in order and with every acknowledgement awaited, only once the checkpoint is stored; then the file is deleted. A commit cut short by a crash or a failure is done again from the file's start, and the stream drops the messages it already has by their id. " +
        "Exactly once as long as that happens within the stream's duplicate window (checked against `min_duplicate_window` when the pipeline is built); after it, at least once, and the message id is the key to deduplicate on.",
        Shape.Object(
            new OptionSpec("url", Shape.String,
                "The NATS server's url, `nats://host:4222` (several separated by commas). May be `${env:NAME}`; credentials in it are never printed.",
                Required: true, Example: "\"nats://nats.example.com:4222\"", Secret: true),
            new OptionSpec("user", Shape.String, "The user name to log in with (with `password`).", Example: "loader", Secret: true),
            new OptionSpec("password", Shape.String, "The password (with `user`). Put it in an environment variable, `${env:NAME}`: it is read when the sink is built and never printed or stored.",
                Example: "\"${env:NATS_PASSWORD}\"", Secret: true),
            new OptionSpec("token", Shape.String, "An authentication token, instead of `user` and `password`.", Example: "\"${env:NATS_TOKEN}\"", Secret: true),
            new OptionSpec("subject", Shape.String, "The subject each record is published to; a JetStream stream must store it.", Required: true, Example: "orders.clean"),
            new OptionSpec("stream", Shape.String, "The stream that must store `subject` (publishing fails if another one does); by default whichever stream stores it.", Example: "ORDERS_CLEAN"),
            new OptionSpec("min_duplicate_window", Shape.String,
                "The stream's duplicate window (how long it remembers message ids) must be at least this long, or the pipeline is refused: a commit repeated later than the window after its first try publishes its messages twice. Raise the stream's window (`nats stream edit S --dupe-window 10m`) for more room to restart after a crash.",
                Default: "2m", Example: "10m"),
            new OptionSpec("staging_path", Shape.String,
                "The folder, relative to the pipeline file, where each checkpoint's messages wait for their commit (a file per checkpoint, deleted once published). It must be on a disk that survives a crash and be the same for the run that resumes.",
                Default: DefaultStagingPath)),
        Bind,
        Example: "sink:\n  type: nats_jetstream\n  url: \"nats://localhost:4222\"\n  subject: orders.clean");

    private static NatsJetStreamSinkOptions Bind(ConfigNode node)
    {
        var options = new NatsJetStreamSinkOptions
        {
            Url = node.GetString("url")!,
            User = node.GetString("user"),
            Password = node.GetString("password"),
            Token = node.GetString("token"),
            Subject = node.GetString("subject")!,
            Stream = node.GetString("stream"),
            MinDuplicateWindow = node.GetDuration("min_duplicate_window") ?? DefaultMinDuplicateWindow,
            StagingPath = node.GetString("staging_path") ?? DefaultStagingPath,
            UrlLocation = node["url"]?.Location,
        };
        var problems = new List<Diagnostic>();
        if (!NatsNames.IsValidSubject(options.Subject) || options.Subject.Contains('*', StringComparison.Ordinal) || options.Subject.Contains('>', StringComparison.Ordinal))
        {
            problems.Add(new Diagnostic(node["subject"]!.Location, $"subject: '{options.Subject}' is not a subject to publish to (tokens separated by '.', no spaces or wildcards)"));
        }
        if (options.Stream is { } stream && !NatsNames.IsValidName(stream))
        {
            problems.Add(new Diagnostic(node["stream"]!.Location, $"stream: '{stream}' is not a stream name (no spaces, '.', '*', '>', '/' or '\\')"));
        }
        if (options.MinDuplicateWindow < TimeSpan.Zero)
        {
            problems.Add(new Diagnostic(node["min_duplicate_window"]!.Location, "min_duplicate_window cannot be negative"));
        }
        if (options.StagingPath.Trim().Length == 0)
        {
            problems.Add(new Diagnostic(node["staging_path"]!.Location, "staging_path cannot be empty"));
        }
        return problems.Count > 0 ? throw new PipelineException(problems) : options;
    }

    /// <summary>Checks the input's columns and reaches the server (unless a credential needs a secret that is not set
    /// while the pipeline is only checked): a stream must store the subject, with a duplicate window of at least
    /// <see cref="MinDuplicateWindow"/>.</summary>
    public ISink CreateSink(Schema input, BuildContext context)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(context);
        foreach (var field in input.FieldsList)
        {
            if (!RecordJson.CanWrite(field.DataType))
            {
                throw new PipelineException(null, $"the nats_jetstream sink cannot write column '{field.Name}' of Arrow type {field.DataType.Name}; cast it to string, int64, float64, decimal, bool, date or timestamp before the sink");
            }
        }
        var access = NatsAccessOf.Resolve(Url, User, Password, Token, UrlLocation, context);
        if (access is null)
        {
            return new NatsJetStreamSink(this, null, Stream ?? "", context);
        }
        string? stream = null;
        if (access.CheckAsync(async (js, ct) =>
            {
                var (found, problem) = await FindStreamAsync(js, access, ct);
                stream = found;
                return problem;
            }).GetAwaiter().GetResult() is { } unfit)
        {
            throw new PipelineException(UrlLocation, NatsAccessOf.Located(context, unfit));
        }
        return new NatsJetStreamSink(this, access, stream!, context);
    }

    /// <summary>The stream that stores <see cref="Subject"/>, or why there is none fit to publish to.</summary>
    private async Task<(string? Stream, string? Problem)> FindStreamAsync(NatsJSContext js, NatsAccess access, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        await foreach (string name in js.ListStreamNamesAsync(Subject, cancellationToken))
        {
            names.Add(name);
        }
        string where = $"NATS at {access.Endpoint}";
        if (names.Count == 0)
        {
            return (null, $"no JetStream stream at {where} stores subject '{Subject}': create one (nats stream add {Stream ?? "NAME"} --subjects '{Subject}'), or correct `subject`");
        }
        string stream = names[0];
        if (Stream is { } expected)
        {
            if (!names.Contains(expected, StringComparer.Ordinal))
            {
                return (null, $"subject '{Subject}' is stored by stream '{names[0]}' at {where}, not by '{expected}' as `stream` says");
            }
            stream = expected;
        }
        var info = await js.GetStreamAsync(stream, cancellationToken: cancellationToken);
        var window = info.Info.Config.DuplicateWindow;
        if (window < MinDuplicateWindow)
        {
            return (null, $"stream '{stream}' at {where} remembers message ids for {Describe(window)} (its duplicate window), less than min_duplicate_window ({Describe(MinDuplicateWindow)}): a commit repeated after a crash could publish records twice. Raise it (nats stream edit {stream} --dupe-window {Describe(MinDuplicateWindow)}) or lower min_duplicate_window");
        }
        return (stream, null);
    }

    private static string Describe(TimeSpan span) =>
        span.TotalHours >= 1 && span.TotalHours % 1 == 0 ? $"{span.TotalHours:0}h"
        : span.TotalMinutes >= 1 && span.TotalMinutes % 1 == 0 ? $"{span.TotalMinutes:0}m"
        : span.TotalSeconds % 1 == 0 ? $"{span.TotalSeconds:0}s" : $"{span.TotalMilliseconds:0}ms";

    /// <summary>Everything but the url and the credentials, which may hold secrets.</summary>
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"Url = (not shown), User = {(User is null ? "" : "(not shown)")}, Password = {(Password is null ? "" : "(not shown)")}, Token = {(Token is null ? "" : "(not shown)")}, Subject = {Subject}, Stream = {Stream}, MinDuplicateWindow = {MinDuplicateWindow}, StagingPath = {StagingPath}");
        return true;
    }
}
