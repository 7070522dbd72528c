namespace Sluice.CrashHarness.Flows;

/// <summary>One row of <c>task_runs</c>: a task (<see cref="Instance"/> -1) or one of its mapped instances.</summary>
internal sealed record TaskRow(string Task, int Instance, string? Item, string State, int Attempts, string? Result)
{
    public string Name => Instance < 0 ? Task : $"{Task}[{Instance}] ({Path.GetFileName(Item)})";
}
