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

/// <summary>How a run state is spelled wherever a user reads or types it: the CLI's text and JSON, and a flow's
/// pipeline task result (in process or in a child process alike). The state file keeps its own codes.</summary>
internal static class RunStateWords
{
    public static string Word(this RunState state) => state switch
    {
        RunState.QualityGateFailed => "quality-gate-failed",
        _ => state.ToString().ToLowerInvariant(),
    };
}
