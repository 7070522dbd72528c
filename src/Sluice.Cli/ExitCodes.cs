using Sluice.State;

namespace Sluice.Cli;

/// <summary>The exit codes of <c>sluice</c>; scripts and schedulers depend on them, so they never change meaning.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int RunFailed = 1;
    /// <summary>The pipeline file is invalid, or the command line is wrong.</summary>
    public const int Invalid = 2;
    public const int QualityGateFailed = 3;
    /// <summary>The run or dead letter asked for does not exist.</summary>
    public const int NotFound = 4;
    /// <summary>Another live process is running the same pipeline against the same state (it holds the lease).</summary>
    public const int Busy = 5;
    /// <summary><c>sluice alerts check</c>: a pipeline or flow broke its freshness or SLA promise.</summary>
    public const int Late = 6;
    /// <summary>128 + SIGINT, as shells report a process stopped by Ctrl-C; also for SIGTERM, which stops a run the same way.</summary>
    public const int Cancelled = 130;

    /// <summary>The exit code for a run that ended in <paramref name="state"/>.</summary>
    public static int For(RunState state) => state switch
    {
        RunState.Succeeded => Ok,
        RunState.QualityGateFailed => QualityGateFailed,
        RunState.Cancelled or RunState.Stopped => Cancelled,
        _ => RunFailed,
    };

    /// <summary>The exit code for a state file that cannot be used: a wrong path is bad usage (fix the command line),
    /// a file another process keeps locked is busy (try again), a damaged or incompatible file, or a full or failing
    /// disk, fails (fix the file or the machine).</summary>
    public static int For(StateFileProblem problem) => problem switch
    {
        StateFileProblem.Unusable => Invalid,
        StateFileProblem.Locked => Busy,
        _ => RunFailed,
    };

    /// <summary>The table printed at the end of <c>sluice --help</c> (and kept in docs/cli.md).</summary>
    internal const string HelpText = """
        Exit codes:
          0    ok
          1    the run failed, or the state file is damaged or of another Sluice version
          2    invalid pipeline file or bad usage (also: a state path that is a folder or cannot be opened)
          3    the run broke its quality gate (too many dead letters)
          4    run or dead letter not found
          5    another process is running this pipeline (same state file), or keeps the state file locked
          6    sluice alerts check: a pipeline or flow is late (freshness or SLA missed)
          130  stopped by Ctrl-C or SIGTERM (a run drains and checkpoints; the next run resumes)
        """;
}
