using Sluice.State;
namespace Sluice;

public enum RunState
{
    Running,
    Succeeded,
    /// <summary>The run finished but its dead letters broke the pipeline's quality gate.</summary>
    QualityGateFailed,
    Failed,
    Cancelled,
    /// <summary>Stopped gracefully before its input ended (Ctrl-C, SIGTERM, <c>RequestStop</c>): what it read is
    /// written and checkpointed, and the next run of the pipeline resumes after it.</summary>
    Stopped,
}
