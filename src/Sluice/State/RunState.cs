namespace Sluice.State;

public enum RunState
{
    Running,
    Succeeded,
    /// <summary>The run finished but its dead letters broke the pipeline's quality gate.</summary>
    QualityGateFailed,
    Failed,
    Cancelled,
}
