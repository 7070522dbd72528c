using Apache.Arrow;
using Sluice.DeadLetters;
using Sluice.Execution;
using Sluice.Pipelines;
using Sluice.Records;

namespace Sluice.Tests.TestSupport;

/// <summary>Dead-letters rows whose id is a multiple of <paramref name="DeadEvery"/> and filters those whose id is a
/// multiple of <paramref name="FilterEvery"/> (dead letter wins), so engine tests know exactly what to expect.</summary>
public sealed record ModuloTransformOptions(int DeadEvery, int FilterEvery) : ITransformOptions
{
    public ITransform CreateTransform(Schema input, BuildContext context) => new ModuloTransform(input, this);
}

internal sealed class ModuloTransform(Schema input, ModuloTransformOptions options) : ITransform
{
    public Schema OutputSchema => input;

    public Batch? Apply(Batch batch, StageContext context)
    {
        var ids = (Int64Array)batch.Data.Column(0);
        var keep = new List<int>();
        for (int row = 0; row < batch.Length; row++)
        {
            long id = ids.GetValue(row)!.Value;
            if (id % options.DeadEvery == 0)
            {
                context.DeadLetter(batch.Origins[row], DeadLetterReason.Transform, "id", "modulo", $"id {id} is a multiple of {options.DeadEvery}");
            }
            else if (id % options.FilterEvery == 0)
            {
                context.RecordsFiltered(1);
            }
            else
            {
                keep.Add(row);
            }
        }
        return keep.Count == 0 ? null : ArrayTake.Take(batch, keep.ToArray());
    }
}
