using Sluice.Configuration;

namespace Sluice.Execution;

/// <summary>The run's process went above <see cref="RunnerOptions.MemoryLimit"/>; the run was stopped.</summary>
internal sealed class MemoryLimitExceededException(long limit, long held) : Exception(
    $"memory limit {ByteSizeText.Format(limit)} exceeded: the process held {ByteSizeText.Format(held)}, so the run was stopped " +
    "(its last checkpoint stands; the next run resumes from it). Raise the limit, or lower what the run keeps in memory " +
    "(dedupe and distinct_count state, a Parquet sink's row groups)");
