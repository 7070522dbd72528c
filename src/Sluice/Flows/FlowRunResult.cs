namespace Sluice.Flows;

/// <summary>How a flow run ended: its record and every task instance's, and whether it went on from an earlier one.</summary>
public sealed record FlowRunResult(FlowRunRecord Run, IReadOnlyList<TaskRunRecord> Tasks, bool Resumed)
{
    public RunState State => Run.Run.State;

    /// <summary>The tasks (not their mapped instances), in the flow's order.</summary>
    public IEnumerable<TaskRunRecord> TopLevel => Tasks.Where(t => t.IsTask);
}
