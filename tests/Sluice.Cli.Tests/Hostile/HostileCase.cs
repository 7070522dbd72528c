namespace Sluice.Cli.Tests.Hostile;

/// <summary>
/// One hostile input: what it writes into an empty folder, the <c>sluice</c> arguments that meet it
/// (<c>{dir}</c> stands for the folder), the exit code the docs promise, and — for a run — the ids of the good
/// records that must be published exactly once.
/// </summary>
/// <param name="OwnProcess">Runs the real executable instead of the CLI in-process: for inputs that could take the
/// process down (a stack overflow would take the test host with it).</param>
public sealed record HostileCase(string Name, Action<string> Setup, string[] Args, int ExitCode, long[]? GoodIds = null,
    bool OwnProcess = false)
{
    public override string ToString() => Name;
}
