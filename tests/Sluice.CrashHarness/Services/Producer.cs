namespace Sluice.CrashHarness.Services;

/// <summary>
/// The live producer of a services trial: a background task that appends the trial's entries to its stream in chunks,
/// with a pause after each, while the pipeline runs, is killed and runs again; it stops after the last entry. It keeps
/// every entry's position (the dead letters name them) and says how far it has got.
/// </summary>
internal sealed class Producer
{
    private readonly List<string> _positions;
    private volatile int _produced;
    private volatile bool _done;

    private Producer(int count) => _positions = new List<string>(count);

    /// <summary>How many entries are in the stream so far.</summary>
    public int Produced => _produced;

    /// <summary>True once every entry is in the stream: a run that starts after that can read them all.</summary>
    public bool IsDone => _done;

    /// <summary>Ends when the last entry is in the stream (or the producer failed).</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    /// <summary>Every entry's position, in entry order; complete once <see cref="Completion"/> has.</summary>
    public IReadOnlyList<string> Positions => _done ? _positions : throw new InvalidOperationException("the producer has not finished");

    public static Producer Start(IStreamUnderTest stream, TrialNames trial, IReadOnlyList<ServiceEntry> entries, int chunk, TimeSpan pause)
    {
        var producer = new Producer(entries.Count);
        producer.Completion = Task.Run(() => producer.ProduceAsync(stream, trial, entries, chunk, pause));
        return producer;
    }

    /// <summary>How long producing took (once <see cref="IsDone"/>).</summary>
    public TimeSpan Elapsed { get; private set; }

    /// <summary>The last entry's position (once <see cref="IsDone"/>).</summary>
    public string LastPosition => Positions[^1];

    private async Task ProduceAsync(IStreamUnderTest stream, TrialNames trial, IReadOnlyList<ServiceEntry> entries, int chunk, TimeSpan pause)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        foreach (var part in entries.Chunk(chunk))
        {
            _positions.AddRange(await stream.AddAsync(trial, part));
            _produced = _positions.Count;
            await Task.Delay(pause);
        }
        Elapsed = clock.Elapsed;
        _done = true;
    }

    /// <summary>Waits until at least <paramref name="count"/> entries are in the stream (or the producer ended).</summary>
    public async Task WaitForAsync(int count)
    {
        while (_produced < count && !Completion.IsCompleted)
        {
            await Task.Delay(10);
        }
        if (Completion.IsFaulted)
        {
            await Completion; // throws what failed
        }
    }
}
