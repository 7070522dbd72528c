using Sluice.State;
namespace Sluice;

/// <summary>The kinds of run the engine records (<see cref="RunRecord.Kind"/>).</summary>
public static class RunKinds
{
    /// <summary>A run of the pipeline over its input (<c>sluice run</c>): the only kind that is resumed.</summary>
    public const string Pipeline = "pipeline";

    /// <summary>A run that re-runs dead letters through the pipeline (<c>sluice dlq replay</c>).</summary>
    public const string Replay = "replay";

    /// <summary>A run of a flow (<c>sluice flow run</c>); its pipeline column holds the flow's name, and the pipeline
    /// runs of its tasks name it as their parent.</summary>
    public const string Flow = "flow";
}
