using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using System.Text;
using Apache.Arrow;
using Sluice.Execution;
using Sluice.Observability;
using Sluice.Pipelines;
using Sluice.Records;
using Sluice.State;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Observability;

/// <summary><c>sluice.source.lag</c>: what an <see cref="ILaggingSource"/> says, while its run runs, and nothing after.</summary>
public sealed class SourceLagTests : StateStoreTest
{
    private static readonly string Name = "lag-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task A_lagging_sources_count_is_observed_while_its_run_runs_and_not_after_it_ends()
    {
        var source = new LaggingSourceOptions();
        var run = await new PipelineRunner(Store).StartAsync(new PipelineDefinition(Name, [
            new("source", source, []),
            new("sink", new MemorySinkOptions(), ["source"]),
        ]));

        // The source read its first batch of 2 and holds the second until told: 4 records are behind.
        var until = DateTime.UtcNow.AddSeconds(30);
        while (ObserveLag() is not { } lag || lag != 4)
        {
            Assert.True(DateTime.UtcNow < until, $"lag observed: {ObserveLag()}");
            await Task.Delay(20);
        }
        source.ReadOn.SetResult();
        var outcome = await run.Completion;

        Assert.Equal(RunState.Succeeded, outcome.Run.State);
        Assert.Equal(6, outcome.Run.RecordsWritten);
        Assert.Null(ObserveLag());
    }

    /// <summary>The pipeline's source lag in one collection; null when it reports none.</summary>
    private static long? ObserveLag()
    {
        long? seen = null;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == SluiceMetrics.MeterName && instrument.Name == "sluice.source.lag")
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == "sluice.pipeline" && (string?)tag.Value == Name)
                    seen = value;
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return seen;
    }

    private sealed record LaggingSourceOptions : ISourceOptions
    {
        /// <summary>Lets the source read on after its first batch.</summary>
        public TaskCompletionSource ReadOn { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ISource CreateSource(BuildContext context) => new LaggingSource(ReadOn.Task);
    }

    /// <summary>Three batches of 2 ids; after each it knows how many are still to come, as a stream consumer does.</summary>
    private sealed class LaggingSource(Task readOn) : ILaggingSource
    {
        private long _behind = -1;

        public Schema Schema { get; } = new Schema.Builder().Field(f => f.Name("id").DataType(Apache.Arrow.Types.Int64Type.Default)).Build();

        public long? RecordsBehind => Volatile.Read(ref _behind) is >= 0 and var behind ? behind : null;

        public async IAsyncEnumerable<Batch> ReadAsync(StageContext context, SourcePosition? resumeAfter,
            [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            for (int start = 0; start < 6; start += 2)
            {
                if (start == 2)
                    await readOn.WaitAsync(cancellationToken);
                context.RecordsRead(2);
                Volatile.Write(ref _behind, 6 - start - 2);
                var ids = new Int64Array.Builder().Append(start).Append(start + 1).Build();
                yield return new Batch(new RecordBatch(Schema, [ids], 2), new RowOrigins(new Rows(start)));
            }
        }
    }

    private sealed class Rows(int start) : IOriginalRows
    {
        public string Input => "lagging";
        public int Count => 2;
        public string Position(int index) => (start + index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        public ReadOnlyMemory<byte> Bytes(int index) => Encoding.UTF8.GetBytes((start + index).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
