using Apache.Arrow;
using Sluice.Execution;
using Sluice.Records;

namespace Sluice.Extensibility;

/// <summary>
/// Turns one batch into another (or into nothing, when every row is dropped). A transform works on whole
/// columns, reports dropped rows with <see cref="StageContext.RecordsFiltered"/> and rejected rows with
/// <see cref="StageContext.DeadLetter(RowOrigin, DeadLetterReason, string?, string?, string)"/>; the runner counts rows in and out.
/// Instances are used by one worker at a time, so they may keep state (e.g. dedupe keys); a stage that applies
/// several batches at once (<c>resilience.concurrency</c>) creates one instance per batch in flight.
/// </summary>
public interface ITransform
{
    /// <summary>The schema of the batches this transform emits, fixed when the pipeline is built.</summary>
    Schema OutputSchema { get; }

    Batch? Apply(Batch input, StageContext context);
}
