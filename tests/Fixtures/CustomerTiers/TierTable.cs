namespace CustomerTiers;

/// <summary>Which tier a customer is in: a table of known customers and a tier for the rest.</summary>
public sealed class TierTable(IReadOnlyDictionary<string, string> tiers, string fallback)
{
    public string TierOf(string? customer) => customer is not null && tiers.TryGetValue(customer, out var tier) ? tier : fallback;
}
