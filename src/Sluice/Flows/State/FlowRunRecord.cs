namespace Sluice.Flows;

/// <summary>A flow run as kept in the state store: its run row (kind <c>flow</c>) and what a flow adds to it.</summary>
/// <param name="Partition">The partition it computes (<c>2024-01-31</c>); empty for a flow that has none.</param>
/// <param name="DefinitionHash">The flow's definition when the run started: a resumed run of a changed flow says so.</param>
/// <param name="ScheduledFor">The schedule slot that started it; null for a run started by hand.</param>
public sealed record FlowRunRecord(RunRecord Run, string Flow, string Partition, IReadOnlyDictionary<string, string> Parameters,
    string DefinitionHash, DateTimeOffset? ScheduledFor, bool CancelRequested);
