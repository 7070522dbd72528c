using Sluice;
using Sluice.Extensibility;

namespace Sluice.Hosting;

/// <summary>What <c>services.AddSluice(...)</c> sets up once for every pipeline of the host.</summary>
public sealed class SluiceOptions
{
    /// <summary>The SQLite state file (runs, checkpoints, dead letters, leases), opened once and disposed with the
    /// host. A relative path resolves against the host's content root. The default value is <c>.sluice/state.db</c>.
    /// Ignored when an <see cref="IStateStore"/> is registered before <c>AddSluice</c>.</summary>
    public string StatePath { get; set; } = Path.Combine(".sluice", "state.db");

    /// <summary>Batch and channel sizes and the lease duration of every run. The default value is
    /// <c>new RunnerOptions()</c>; <see cref="RunnerOptions.FollowPoll"/> is set by
    /// <see cref="PipelineSchedule.Continuous"/>, not here.</summary>
    public RunnerOptions Runner { get; set; } = new();

    /// <summary>What pipeline files may name besides the built-in components: the service connectors and your own,
    /// registered here, e.g. <c>o.Components.AddPostgres().AddRedis()</c>. The default value is a catalog of the
    /// built-ins only.</summary>
    public ComponentCatalog Components { get; set; } = new();
}
