using System.Text.Json.Nodes;

namespace Sluice.Flows;

/// <summary>An attempt of a task failed in a way it reports itself (a command's exit code, a pipeline run that
/// failed); the message is one line. Throw it from a C# task to fail it with your own message.</summary>
public sealed class TaskFailedException : Exception
{
    public TaskFailedException(string message, JsonNode? result = null, string? output = null) : base(message)
    {
        Result = result;
        Output = output;
    }

    public TaskFailedException() : this("the task failed")
    {
    }

    public TaskFailedException(string message, Exception inner) : base(message, inner)
    {
    }

    /// <summary>What the attempt produced all the same (a failed command's exit code and lines).</summary>
    public JsonNode? Result { get; }

    /// <summary>The last of a command's output.</summary>
    public string? Output { get; }
}
