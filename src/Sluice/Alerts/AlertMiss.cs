namespace Sluice.Alerts;

/// <summary>A broken promise found by <see cref="AlertRules"/>, before it is recorded.</summary>
internal sealed record AlertMiss(AlertSubjectKind SubjectKind, string Subject, AlertKind Kind, string Key, string Expected,
    DateTimeOffset DueAt, DateTimeOffset? ObservedAt, string Detail);
