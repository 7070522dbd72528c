using Apache.Arrow;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.Records;

namespace Sluice.Bench.Micro;

/// <summary>A transform that returns its input: the cost of one more stage (a channel hop and a worker) with no work.</summary>
public sealed record PassThroughOptions : ITransformOptions
{
    public ITransform CreateTransform(Schema input, BuildContext context) => new PassThroughTransform(input);
}

internal sealed class PassThroughTransform(Schema schema) : ITransform
{
    public Schema OutputSchema => schema;

    public Batch? Apply(Batch input, StageContext context) => input;
}
