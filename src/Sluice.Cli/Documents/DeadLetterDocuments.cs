using System.Text.Unicode;
using Sluice.DeadLetters;

namespace Sluice.Cli.Documents;

/// <summary><c>sluice dlq list --json</c>: dead letters, newest first (docs/json/dlq-list.schema.json).</summary>
internal sealed record DeadLetterListDocument(IReadOnlyList<DeadLetterPart> DeadLetters);

/// <summary>One dead letter's fields, as <c>dlq list</c> and <c>dlq show</c> print them. <see cref="Input"/> and
/// <see cref="Position"/> are the source's words for where the record came from (a file and its line, a stream and
/// an entry id).</summary>
internal sealed record DeadLetterPart(
    string Id, string RunId, string Pipeline, string Stage, string Reason, string? Field, string? Rule, string Input, string Position,
    DateTime CreatedAt, int Attempts, string Message)
{
    public static DeadLetterPart Of(StoredDeadLetter d) => new(
        d.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), d.RunId, d.Pipeline, d.Stage, d.Reason.Code(), d.Field, d.Rule,
        d.Input, d.Position, Times.Utc(d.CreatedAt), d.Attempts, d.Message);
}

/// <summary><c>sluice dlq show ID --json</c>: every field of one dead letter and its original bytes
/// (docs/json/dlq-show.schema.json).</summary>
internal sealed record DeadLetterDocument(DeadLetterPart DeadLetter, OriginalPart Original);

/// <summary>The record's original bytes: always as base64 (exact), and as text when they are valid UTF-8.</summary>
internal sealed record OriginalPart(int Length, string Base64, string? Text)
{
    public static OriginalPart Of(byte[] bytes) =>
        new(bytes.Length, Convert.ToBase64String(bytes), Utf8.IsValid(bytes) ? System.Text.Encoding.UTF8.GetString(bytes) : null);
}
