using Sluice.Pipelines;

namespace Sluice.Flows;

/// <summary>One task of a flow: what it does, after which tasks, and how it is retried, timed out, cached, limited
/// and mapped. Texts in its action may hold <c>${params.NAME}</c>, <c>${item}</c>, <c>${partition}</c> and
/// <c>${tasks.NAME…}</c>, filled in when it runs (see <see cref="TaskTemplate"/>).</summary>
public sealed record FlowTask(string Name, TaskAction Action)
{
    /// <summary>The tasks that must complete (or be cached) before this one starts; if one fails, is skipped or is
    /// cancelled, this one is skipped.</summary>
    public IReadOnlyList<string> DependsOn { get; init; } = [];

    public TaskRetry Retry { get; init; } = TaskRetry.None;

    /// <summary>Longest one attempt may take; it is then cancelled and counts as failed (and may be retried).</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>When set, the task is skipped (state <see cref="TaskState.Cached"/>) if a result exists for the same
    /// key: its definition, its inputs' content, the flow's parameters and its upstream results.</summary>
    public TaskCache? Cache { get; init; }

    /// <summary>Concurrency tags: an instance runs only while fewer than the tag's limit hold it.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>When set, one instance runs per item of a list known when the task starts.</summary>
    public TaskMap? Map { get; init; }

    public SourceLocation? Location { get; init; }
}

/// <summary>Retries of a failed attempt: <see cref="Retries"/> more attempts, waiting <see cref="Delay"/> before the
/// first and twice as long before each next, up to <see cref="MaxDelay"/>; with <see cref="Jitter"/> each wait is
/// drawn between half of it and all of it.</summary>
public sealed record TaskRetry(int Retries, TimeSpan Delay, TimeSpan MaxDelay, bool Jitter = true)
{
    public static TaskRetry None { get; } = new(0, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));

    /// <summary>The wait before retry <paramref name="retry"/> (1 for the first), before jitter.</summary>
    public TimeSpan WaitBefore(int retry) =>
        TimeSpan.FromMilliseconds(Math.Min(Delay.TotalMilliseconds * Math.Pow(2, retry - 1), MaxDelay.TotalMilliseconds));
}

/// <summary>Caching of a task's result. <see cref="Inputs"/>: globs of files whose content is part of the key (a
/// pipeline task's own input files count without being listed). <see cref="Expire"/>: how long a result serves.</summary>
public sealed record TaskCache(IReadOnlyList<string> Inputs, TimeSpan? Expire);

/// <summary>Where a mapped task's items come from (exactly one of the three) and how many instances run at once.</summary>
/// <param name="Glob">Files matching it, relative to the flow's folder, in ordinal order; each item is a path.</param>
/// <param name="Items">A fixed list (templates allowed, e.g. <c>${params.day}</c>).</param>
/// <param name="LinesOf">An upstream task whose result's lines are the items (its output lines, or a JSON array).</param>
public sealed record TaskMap(string? Glob, IReadOnlyList<string>? Items, string? LinesOf, int Parallel);
