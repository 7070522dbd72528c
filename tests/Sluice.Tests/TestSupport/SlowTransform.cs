using Apache.Arrow;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.Records;

namespace Sluice.Tests.TestSupport;

/// <summary>Passes batches through, sleeping <paramref name="Delay"/> on each: makes a run long enough to act on
/// while it is in progress.</summary>
public sealed record SlowTransformOptions(TimeSpan Delay) : ITransformOptions
{
    public ITransform CreateTransform(Schema input, BuildContext context) => new SlowTransform(input, Delay);

    private sealed class SlowTransform(Schema input, TimeSpan delay) : ITransform
    {
        public Schema OutputSchema => input;

        public Batch? Apply(Batch batch, StageContext context)
        {
            Thread.Sleep(delay);
            return batch;
        }
    }
}
