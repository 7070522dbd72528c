using Sluice.DeadLetters;
using Sluice.State;

namespace Sluice;

/// <summary>Filters for listing dead letters; null means any. Newest first unless <see cref="OldestFirst"/>.</summary>
public sealed record DeadLetterQuery(
    string? Pipeline = null,
    string? RunId = null,
    DeadLetterReason? Reason = null,
    string? Stage = null,
    int Limit = 100)
{
    /// <summary>Only letters stored at or after this time.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Only letters stored before this time.</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>Only letters about this field (the field a contract rule or a parse error named).</summary>
    public string? Field { get; init; }

    /// <summary>Only the letters with these ids (a hand-picked selection, as the dashboard's checkboxes make); null
    /// for any. At most <see cref="MaxIds"/>.</summary>
    public IReadOnlyList<long>? Ids { get; init; }

    /// <summary>How many ids <see cref="Ids"/> may list: each is a bound parameter, and SQLite takes 32,766.</summary>
    public const int MaxIds = 1000;

    /// <summary>Only letters whose id is above this (0: any). With <see cref="ThroughId"/>, how a replay pages
    /// through the letters that existed when it started, and not the ones it writes itself.</summary>
    public long AfterId { get; init; }

    /// <summary>Only letters whose id is at most this; null for no bound.</summary>
    public long? ThroughId { get; init; }

    /// <summary>List in id order (the order they were stored) instead of newest first.</summary>
    public bool OldestFirst { get; init; }

    /// <summary>Whether any filter narrows the query (purging needs one).</summary>
    public bool IsFiltered => Pipeline is not null || RunId is not null || Reason is not null || Stage is not null
        || Since is not null || Until is not null || Field is not null || Ids is not null || AfterId > 0 || ThroughId is not null;
}
