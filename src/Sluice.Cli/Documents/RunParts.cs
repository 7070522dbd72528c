using Sluice.Cli.Rendering;
using Sluice.Expectations;
using Sluice.State;

namespace Sluice.Cli.Documents;

/// <summary>A run's totals, as the <c>runs</c> table and the <c>show</c> header count them.</summary>
internal sealed record TotalsPart(long Read, long Written, long Published, long Filtered, long DeadLettered)
{
    public static TotalsPart Of(RunRecord run) => new(run.RecordsRead, run.RecordsWritten, run.RecordsPublished, run.Filtered, run.DeadLettered);
}

/// <summary>One row of the per-stage table; <see cref="Balances"/> is its ✓ column.</summary>
internal sealed record StagePart(
    string Name, string Kind, IReadOnlyList<string> Inputs, long In, long Out, long Filtered, long DeadLettered, double BusySeconds,
    bool Balances, long Retries, long Timeouts, long CircuitOpenings, long CircuitClosings)
{
    public static IReadOnlyList<StagePart> Of(IReadOnlyList<StageCounts> stages) =>
    [
        .. stages.Select(s => new StagePart(
            s.Stage, s.Kind.ToString().ToLowerInvariant(), s.Inputs, s.In, s.Out, s.Filtered, s.DeadLettered, s.Busy.TotalSeconds,
            s.In == s.Out + s.DeadLettered + s.Filtered, s.Retries, s.Timeouts, s.CircuitOpenings, s.CircuitClosings)),
    ];
}

/// <summary>One sink's <c>in = out + dead + filtered</c>, and how many of its records out a checkpoint published.</summary>
internal sealed record SinkPart(string Sink, long In, long Out, long DeadLettered, long Filtered, long Published, bool Balances)
{
    public static IReadOnlyList<SinkPart> Of(IReadOnlyList<SinkBalance> balances) =>
        [.. balances.Select(b => new SinkPart(b.Sink, b.In, b.Out, b.DeadLettered, b.Filtered, b.Published, b.Balances))];
}

/// <summary>One <c>expect:</c> item and how the run fared: <see cref="Outcome"/> is <c>passed</c>, <c>failed</c> or <c>warning</c>.</summary>
internal sealed record ExpectationPart(string Expectation, string Measured, bool Passed, string OnFail, string Outcome)
{
    public static IReadOnlyList<ExpectationPart> Of(IEnumerable<ExpectationResult> results) =>
    [
        .. results.Select(e => new ExpectationPart(
            e.Expectation, e.Measured, e.Passed, e.Severity.ToString().ToLowerInvariant(), e.Outcome.ToLowerInvariant())),
    ];
}

/// <summary>A line a run said besides its counts; <see cref="Stage"/> is null for one about the run as a whole.</summary>
internal sealed record NotePart(string? Stage, string Message)
{
    /// <summary>The notes that are not warnings, and the warnings, as the summary prints them.</summary>
    public static (IReadOnlyList<NotePart> Notes, List<NotePart> Warnings) Split(IEnumerable<RunNote> notes)
    {
        var all = notes.ToList();
        return ([.. all.Where(n => !n.Warning).Select(n => new NotePart(n.Stage, n.Message))],
            [.. all.Where(n => n.Warning).Select(n => new NotePart(n.Stage, n.Message))]);
    }
}

/// <summary>The run's dead letters: how many its stages made, how many are queued (those of committed checkpoints),
/// and the command that lists them (null when there are none).</summary>
internal sealed record DeadLettersPart(long Count, long Queued, string? ListCommand);
