namespace Sluice.Flows;

/// <summary>How task states are spelled in the state file and in output: snake-case words.</summary>
internal static class FlowValues
{
    public static string Code(TaskState state) => state.ToString().ToLowerInvariant();

    public static TaskState ParseTaskState(string code) =>
        Enum.TryParse(code, ignoreCase: true, out TaskState state) && Enum.IsDefined(state)
            ? state
            : throw new InvalidDataException($"unknown task state '{code}' in the state file");
}
