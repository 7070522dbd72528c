namespace Sluice.Flows;

/// <summary>A flow cannot be read or started (a bad file, a missing parameter), or a task's text cannot be filled
/// in. Its message is one line for the user.</summary>
public sealed class FlowException : Exception
{
    public FlowException(string message) : base(message)
    {
    }

    public FlowException(string message, Exception inner) : base(message, inner)
    {
    }

    public FlowException()
    {
    }
}
