namespace Sluice.CrashHarness.Services;

/// <summary>
/// The broker half of the services mode: everything that depends on which stream the pipeline reads. The trials
/// (<see cref="ServiceTrials"/>), the data (<see cref="ServiceData"/>), the producer's pacing, the PostgreSQL side and
/// the state file's checks are the same for every stream; a stream adds how to write an entry into it (and how to make
/// one its source cannot read), how the pipeline file names it, what a dead letter names as its input and position,
/// and how to tell that its consumer has read and acknowledged everything. <c>--services nats</c> (JetStream →
/// PostgreSQL) is another implementation registered in <see cref="StreamsUnderTest"/>.
/// </summary>
internal interface IStreamUnderTest : IAsyncDisposable
{
    /// <summary>The name <c>--services</c> takes ("redis").</summary>
    string Name { get; }

    /// <summary>Where its private server listens, for the log.</summary>
    string Server { get; }

    /// <summary>The pipeline file's <c>source:</c> block (starting with <c>source:</c>, two-space indented options)
    /// reading <paramref name="trial"/>'s stream with <paramref name="batchSize"/> entries per read.</summary>
    string SourceYaml(TrialNames trial, int batchSize);

    /// <summary>Appends <paramref name="entries"/> to the trial's stream in order and returns each one's position as
    /// the source's dead letters name it (a Redis entry id, a JetStream sequence). An entry with
    /// <see cref="EntryFault.Unreadable"/> is written so that the source itself dead-letters it (reason
    /// <c>parse</c>), in a way chosen by its <see cref="ServiceEntry.Variant"/>.</summary>
    Task<IReadOnlyList<string>> AddAsync(TrialNames trial, IReadOnlyList<ServiceEntry> entries);

    /// <summary>What a dead letter from the trial's stream stores as its input (a stream key, a subject).</summary>
    string Input(TrialNames trial);

    /// <summary>The problems with the consumer's state once the last run finished: anything still pending
    /// (delivered, unacknowledged), or a read position short of <paramref name="lastPosition"/>, the last entry
    /// produced. None: it read and acknowledged everything.</summary>
    Task<List<string>> CheckDrainedAsync(TrialNames trial, string lastPosition);
}

/// <summary>The streams <c>--services</c> can name, and how to start each one's private server.</summary>
internal static class StreamsUnderTest
{
    public static IReadOnlyList<string> Names { get; } = ["redis", "nats"];

    public static async Task<IStreamUnderTest> StartAsync(string name) => name switch
    {
        "redis" => await RedisStreamUnderTest.StartAsync(),
        "nats" => await NatsStreamUnderTest.StartAsync(),
        _ => throw new ArgumentException($"--services {name}: not one of {string.Join(", ", Names)}"),
    };
}
