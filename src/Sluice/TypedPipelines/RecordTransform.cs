using Sluice.DeadLetters;
using Sluice.Execution;
using Sluice.Records;

namespace Sluice.TypedPipelines;

/// <summary>Applies a <see cref="RecordStep{TIn,TOut}"/> to every row of a batch; see <see cref="RecordTransformOptions{TIn,TOut}"/>.</summary>
internal sealed class RecordTransform<TIn, TOut>(RecordReader<TIn> reader, RecordStep<TIn, TOut> step) : ITransform
{
    private readonly RecordWriter<TOut> _writer = new();
    private int[] _kept = [];

    public Apache.Arrow.Schema OutputSchema => _writer.Schema;

    public Batch? Apply(Batch input, StageContext context)
    {
        if (_kept.Length < input.Length)
        {
            _kept = new int[input.Length];
        }
        _writer.Start(input.Length);
        int kept = 0;
        long filtered = 0;
        reader.Bind(input.Data);
        try
        {
            for (int row = 0; row < input.Length; row++)
            {
                TOut output;
                bool keep;
                try
                {
                    keep = step(reader.Read(row), out output);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    RecordFailure.DeadLetter(context, input.Origins[row], e);
                    continue;
                }
                if (keep)
                {
                    _writer.Append(output);
                    _kept[kept++] = row;
                }
                else
                {
                    filtered++;
                }
            }
        }
        finally
        {
            reader.Release();
        }
        context.RecordsFiltered(filtered);
        if (kept == 0)
        {
            return null;
        }
        var origins = kept == input.Length ? input.Origins : input.Origins.Select(_kept.AsSpan(0, kept));
        return new Batch(_writer.Build(), origins, input.Position);
    }
}
