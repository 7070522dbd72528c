using System.ComponentModel;

namespace CustomerStages;

public enum Tier
{
    Standard,
    Silver,
    Gold,
}

/// <summary>The options of <c>enrich_customers</c>, written in YAML as <c>customer_column</c>, <c>tiers</c>,
/// <c>default_tier</c> and <c>column</c>.</summary>
public sealed class EnrichOptions
{
    [Description("The column holding the customer's id.")]
    public required string CustomerColumn { get; init; }

    [Description("The tier of each known customer.")]
    public Dictionary<string, string> Tiers { get; init; } = [];

    [Description("The tier of a customer not in `tiers`.")]
    public Tier DefaultTier { get; init; } = Tier.Standard;

    [Description("The name of the added column.")]
    public string Column { get; init; } = "tier";
}
