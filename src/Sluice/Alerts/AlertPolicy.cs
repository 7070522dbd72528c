namespace Sluice.Alerts;

/// <summary>What a pipeline or flow promises about its data (<c>freshness:</c>, <c>sla:</c>) and where a broken
/// promise is sent (<c>alerts:</c>). Judged by <c>sluice serve</c> and <c>sluice alerts check</c>, never by a run.</summary>
/// <param name="Freshness">Oldest its newest committed data may be; null for no such promise.</param>
/// <param name="Sla">The time of day by which a run must have succeeded, each day; null for no such promise.</param>
/// <param name="Webhook">Where misses are POSTed; null: they are recorded and logged only.</param>
public sealed record AlertPolicy(TimeSpan? Freshness, SlaDeadline? Sla, AlertWebhook? Webhook)
{
    /// <summary>No promise and no webhook.</summary>
    public static AlertPolicy None { get; } = new(null, null, null);

    /// <summary>True when there is something to judge.</summary>
    public bool Promises => Freshness is not null || Sla is not null;
}

/// <summary>An HTTP endpoint misses are POSTed to as JSON.</summary>
/// <param name="Url">An absolute http or https URL; never printed, as it may hold a token.</param>
/// <param name="Headers">Request headers as written: their <c>${env:NAME}</c> references are resolved when a
/// request is made, so a secret is never in a message, a log or the state file.</param>
public sealed record AlertWebhook(Uri Url, IReadOnlyDictionary<string, string> Headers);
