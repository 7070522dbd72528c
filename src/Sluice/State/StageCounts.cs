using Sluice.Pipelines;

namespace Sluice.State;

/// <summary>A stage's counts and busy time as saved for a run.</summary>
public sealed record StageCounts(string Stage, StageKind Kind, long In, long Out, long Filtered, long DeadLettered, TimeSpan Busy);
