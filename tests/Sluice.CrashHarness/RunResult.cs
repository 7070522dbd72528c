namespace Sluice.CrashHarness;

/// <summary>How one <c>sluice run</c> ended. <see cref="Killed"/>: the harness's timer killed it (a crash point
/// kills the process from inside, which shows as exit code 137 with <see cref="Killed"/> false).</summary>
internal sealed record RunResult(int ExitCode, bool Killed, string Stdout, string Stderr, TimeSpan Elapsed)
{
    /// <summary>128 + SIGKILL, what .NET reports for a process killed by the signal.</summary>
    public const int SigKillExitCode = 137;

    public string Describe() =>
        $"exit {ExitCode} after {Elapsed.TotalMilliseconds:F0} ms{(Killed ? " (killed by the harness)" : "")}\n--- stdout\n{Stdout}--- stderr\n{Stderr}";
}
