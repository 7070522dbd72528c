namespace Sluice.Lineage;

/// <summary>
/// Where a runner sends OpenLineage run events (<see cref="RunnerOptions.Lineage"/>): appended as JSON Lines to a
/// file, or POSTed to an HTTP endpoint. Failing to send one is a warning on the run, never a failed run.
/// </summary>
public sealed record LineageOptions
{
    /// <summary>The environment variable OpenLineage's own clients read their HTTP endpoint from.</summary>
    public const string UrlVariable = "OPENLINEAGE_URL";

    /// <summary>The environment variable OpenLineage's clients read the job namespace from.</summary>
    public const string NamespaceVariable = "OPENLINEAGE_NAMESPACE";

    /// <summary>The environment variable OpenLineage's clients read an API key from (sent as a bearer token).</summary>
    public const string ApiKeyVariable = "OPENLINEAGE_API_KEY";

    /// <summary>An <c>http://</c> or <c>https://</c> URL, or the path of a file. A URL with no path (or just <c>/</c>)
    /// gets OpenLineage's <c>/api/v1/lineage</c> (what Marquez and OpenLineage's HTTP transport use); a URL with a
    /// path is posted to as written. A file gets one event per line, appended.</summary>
    public required string Target { get; init; }

    /// <summary>The namespace of the jobs (pipelines and flows). The default value is <c>sluice</c>.</summary>
    public string Namespace { get; init; } = "sluice";

    /// <summary>Sent as <c>Authorization: Bearer …</c> to an HTTP endpoint; never written anywhere. Null (the
    /// default): none.</summary>
    public string? ApiKey { get; init; }

    /// <summary>The longest one event may take to send, all attempts included (3 attempts, 0.2 s then 0.4 s apart,
    /// each cut short by what is left); past it the event is given up with a warning. The default value is 5 seconds.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Options for <paramref name="target"/>, or for the URL in <c>OPENLINEAGE_URL</c> when it is null;
    /// null when neither is set. The namespace and API key come from <c>OPENLINEAGE_NAMESPACE</c> and
    /// <c>OPENLINEAGE_API_KEY</c> when those are set.</summary>
    public static LineageOptions? FromEnvironment(string? target)
    {
        target ??= Environment.GetEnvironmentVariable(UrlVariable) is { Length: > 0 } url ? url : null;
        if (target is null)
        {
            return null;
        }
        return new LineageOptions
        {
            Target = target,
            Namespace = Environment.GetEnvironmentVariable(NamespaceVariable) is { Length: > 0 } space ? space : "sluice",
            ApiKey = Environment.GetEnvironmentVariable(ApiKeyVariable) is { Length: > 0 } key ? key : null,
        };
    }

    /// <summary>What is wrong with these options, in one line saying what to write instead; null when nothing.</summary>
    public string? Problem()
    {
        if (string.IsNullOrWhiteSpace(Target))
        {
            return "the lineage target is empty; give a file path (lineage.jsonl) or an http(s) URL (http://localhost:5000)";
        }
        if (Target.Contains("://", StringComparison.Ordinal) && Endpoint is null)
        {
            return $"the lineage target '{Shown}' is not an http(s) URL with a host nor a file path; write e.g. http://localhost:5000 or lineage.jsonl";
        }
        if (string.IsNullOrWhiteSpace(Namespace))
        {
            return "the lineage namespace is empty; leave it out for 'sluice' or name one";
        }
        return Timeout <= TimeSpan.Zero ? "the lineage timeout must be longer than 0" : null;
    }

    /// <summary>The URL events are POSTed to; null when the target is a file.</summary>
    internal Uri? Endpoint =>
        Uri.TryCreate(Target, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0
            ? uri.AbsolutePath is "/" or "" ? new Uri(uri, "/api/v1/lineage") : uri
            : null;

    /// <summary>The target as messages show it: a URL without user info or query.</summary>
    internal string Shown => Endpoint is { } url ? url.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped) : Target;
}
