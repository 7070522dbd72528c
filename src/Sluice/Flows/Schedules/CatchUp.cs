namespace Sluice.Flows;

/// <summary>
/// Which slots a <see cref="FlowServer"/> runs of those that passed while it could not start them: while no server
/// was running, or while the flow's previous scheduled run still went on (a flow's scheduled runs never overlap).
/// </summary>
public enum CatchUp
{
    /// <summary>Only the newest of them: the data is brought up to date by one run, not a burst of them. The default,
    /// because a run usually computes "everything up to now" or, for a partitioned flow, the newest partition; older
    /// partitions are what <see cref="FlowBackfill"/> is for.</summary>
    Latest,

    /// <summary>Every one of them, oldest first, one after another: for flows whose every slot must run.</summary>
    All,

    /// <summary>None of them: only a slot that comes while the server waits for it runs.</summary>
    None,
}
