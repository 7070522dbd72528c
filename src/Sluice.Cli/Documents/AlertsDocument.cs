using Sluice.Alerts;

namespace Sluice.Cli.Documents;

/// <summary><c>sluice alerts list --json</c> (docs/json/alerts.schema.json).</summary>
internal sealed record AlertsDocument(string StateFile, bool StateFileExists, IReadOnlyList<AlertsDocument.Item> Alerts)
{
    internal sealed record Item(long Id, string SubjectKind, string Subject, string Kind, string Key, string Expected, DateTime DueAt,
        DateTime? ObservedAt, DateTime DetectedAt, string Detail, DateTime? SentAt, int Attempts, string? LastError, DateTime? NextAttemptAt)
    {
        public static Item Of(AlertRecord a) => new(a.Id, a.SubjectKind.ToString().ToLowerInvariant(), a.Subject, a.Kind.ToString().ToLowerInvariant(),
            a.Key, a.Expected, Times.Utc(a.DueAt), Times.Utc(a.ObservedAt), Times.Utc(a.DetectedAt), a.Detail, Times.Utc(a.SentAt), a.Attempts,
            a.LastError, Times.Utc(a.NextAttemptAt));
    }
}
