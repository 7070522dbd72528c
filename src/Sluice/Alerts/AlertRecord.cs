namespace Sluice.Alerts;

/// <summary>What a miss is about: a pipeline (by its <c>name:</c>) or a flow.</summary>
public enum AlertSubjectKind
{
    Pipeline,
    Flow,
}

/// <summary>Which promise was broken.</summary>
public enum AlertKind
{
    /// <summary>The newest data got older than <c>freshness:</c>.</summary>
    Freshness,

    /// <summary>No run succeeded by the day's <c>sla: finish_by</c>.</summary>
    Sla,
}

/// <summary>One recorded miss, as the state file keeps it.</summary>
/// <param name="Id">Grows with each miss recorded: newer misses have greater ids.</param>
/// <param name="Key">Identifies the miss, so that it is recorded and sent once (the webhook's <c>Idempotency-Key</c>):
/// an SLA miss by its subject and day, a freshness miss by its subject and the newest data judged.</param>
/// <param name="Expected">The promise as written: the freshness (<c>2h</c>) or the deadline (<c>06:00 Europe/Paris</c>).</param>
/// <param name="DueAt">When the promise was broken: the day's deadline, or the newest data's time plus the freshness.</param>
/// <param name="ObservedAt">The newest data (freshness), or the last success before the deadline (SLA); null for none.</param>
/// <param name="Detail">One line for people, as logged and sent.</param>
/// <param name="SentAt">When the webhook accepted it (2xx); null while unsent or when there is no webhook.</param>
/// <param name="Attempts">Requests made to the webhook so far.</param>
/// <param name="LastError">Why the last request failed; null when it did not, or none was made.</param>
/// <param name="NextAttemptAt">When the next request is due; null when sent, or when there is no webhook to send to.</param>
public sealed record AlertRecord(
    long Id,
    AlertSubjectKind SubjectKind,
    string Subject,
    AlertKind Kind,
    string Key,
    string Expected,
    DateTimeOffset DueAt,
    DateTimeOffset? ObservedAt,
    DateTimeOffset DetectedAt,
    string Detail,
    DateTimeOffset? SentAt,
    int Attempts,
    string? LastError,
    DateTimeOffset? NextAttemptAt);

/// <summary>Which recorded misses to list (<see cref="SqliteStateStore.ListAlertsAsync"/>): newest first,
/// a page at a time.</summary>
public sealed record AlertQuery
{
    /// <summary>Only this pipeline's or flow's misses (by name); all when null.</summary>
    public string? Subject { get; init; }

    /// <summary>Only pipelines' or only flows' misses; both when null.</summary>
    public AlertSubjectKind? SubjectKind { get; init; }

    /// <summary>Only misses with an id below this one: the next page after a page whose last id this is.</summary>
    public long? BeforeId { get; init; }

    /// <summary>At most this many. The default value is 50.</summary>
    public int Limit { get; init; } = 50;
}
