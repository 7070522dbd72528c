using Sluice.Expectations;
using Sluice.Pipelines;

namespace Sluice;

/// <summary>
/// One check of a run's output (the pipeline file's <c>expect:</c> list), evaluated once, when the run's final
/// checkpoint is about to commit: a <see cref="ExpectationSeverity.Fail"/> breach fails the run's quality gate and
/// nothing of that checkpoint is published; a <see cref="ExpectationSeverity.Warn"/> one is only reported.
/// </summary>
public abstract record Expectation
{
    /// <summary>What a breach does. The default is <see cref="ExpectationSeverity.Fail"/>.</summary>
    public ExpectationSeverity OnFail { get; init; } = ExpectationSeverity.Fail;

    /// <summary>Where the expectation is declared, for error messages; null for pipelines built in code.</summary>
    public SourceLocation? Location { get; init; }

    /// <summary>The column whose values it measures at the sinks; null for one on the run's counts.</summary>
    public virtual string? Column => null;

    /// <summary>How it reads in messages and in <c>sluice show</c>, e.g. <c>null_ratio(delay) ≤ 0.05</c>.</summary>
    public abstract string Describe();
}

/// <summary>What a breached <see cref="Expectation"/> does to the run.</summary>
public enum ExpectationSeverity
{
    /// <summary>The run fails its quality gate (exit code 3) and its final checkpoint is not published.</summary>
    Fail,

    /// <summary>The run still succeeds; the breach is stored and printed as a warning.</summary>
    Warn,
}
