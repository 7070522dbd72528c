using Sluice.Execution;
using Sluice.Replay;

namespace Sluice;

/// <summary>What a replay did: the letters it selected, grouped by the stages they went through again, and the run
/// that replayed each group (in the same order; fewer runs than groups when one did not succeed or the replay was
/// stopped).</summary>
public sealed record ReplayOutcome(IReadOnlyList<ReplayGroup> Groups, IReadOnlyList<RunOutcome> Runs)
{
    /// <summary>How many dead letters matched the selection.</summary>
    public long Selected => Groups.Sum(g => (long)g.Ids.Count);

    /// <summary>Whether every group was replayed by a run that succeeded.</summary>
    public bool Succeeded => Runs.Count == Groups.Count && Runs.All(r => r.Run.State == RunState.Succeeded);
}
