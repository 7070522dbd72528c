using Sluice.Execution;
namespace Sluice;

/// <summary>A stage threw while the run was going on; the message names the stage and says why in one line.</summary>
public sealed class StageFailedException : Exception
{
    public StageFailedException(string stage, Exception inner)
        : base($"stage '{stage}' failed: {inner.Message}", inner)
    {
        Stage = stage;
    }

    public string Stage { get; }
}
