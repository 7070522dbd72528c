using Apache.Arrow;
using Sluice.Extensibility;

namespace Sluice.Hosting.Tests.TestSupport;

/// <summary>A transform that passes batches through, each after <paramref name="Delay"/>, and while
/// <paramref name="Closed"/> holds them until <see cref="Open"/>: lets a test act while a hosted run is in progress.
/// <see cref="Applied"/> counts the batches that reached it.</summary>
public sealed record GateOptions(TimeSpan Delay, bool Closed) : ITransformOptions
{
    private readonly ManualResetEventSlim _open = new(initialState: !Closed);
    private int _applied;

    public int Applied => Volatile.Read(ref _applied);

    public void Open() => _open.Set();

    public ITransform CreateTransform(Schema input, BuildContext context) => new Gate(input, this);

    /// <summary>The pipeline with this gate between its contract and its sink.</summary>
    public PipelineDefinition Insert(PipelineDefinition pipeline) => pipeline with
    {
        Stages = [.. pipeline.Stages.Take(2), new("gate", this, ["contract"]), pipeline.Stages[2] with { Inputs = ["gate"] }],
    };

    private sealed class Gate(Schema input, GateOptions options) : ITransform
    {
        public Schema OutputSchema => input;

        public Batch? Apply(Batch batch, StageContext context)
        {
            Interlocked.Increment(ref options._applied);
            // Bounded, so that a failing test ends instead of hanging on a gate nobody opens.
            options._open.Wait(TimeSpan.FromSeconds(30));
            Thread.Sleep(options.Delay);
            return batch;
        }
    }
}
