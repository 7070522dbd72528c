using System.Text;
using System.Text.Json;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Sluice.Cli.Tests.TestSupport;
using Sluice.ServiceFixtures;

namespace Sluice.Nats.Tests.TestSupport;

/// <summary>One private nats-server with JetStream for all the tests of the collection.</summary>
public sealed class NatsFixture : IAsyncLifetime
{
    public NatsServer Server { get; private set; } = null!;

    public NatsConnection Client { get; private set; } = null!;

    public NatsJSContext Js { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await NatsServer.StartAsync();
        Client = new NatsConnection(Server.ClientOptions);
        Js = new NatsJSContext(Client);
    }

    public async Task DisposeAsync()
    {
        await Client.DisposeAsync();
        await Server.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class NatsCollection : ICollectionFixture<NatsFixture>
{
    public const string Name = "nats";
}

/// <summary>
/// Base of the tests against the private server: a stream of the test's own (<see cref="Stream"/>, storing
/// <c>{prefix}.&gt;</c>), a temp folder for the pipeline file, its output and the state file, and helpers to run
/// <c>sluice</c> and read the output back.
/// </summary>
[Collection(NatsCollection.Name)]
public abstract class NatsTest(NatsFixture fixture) : IDisposable, IAsyncLifetime
{
    protected TempDir Dir { get; } = new();

    protected NatsFixture Fixture => fixture;

    protected NatsJSContext Js => fixture.Js;

    protected string Prefix { get; } = "t" + Guid.NewGuid().ToString("N")[..8];

    protected string Stream => "ORDERS_" + Prefix;

    protected string Subject => Prefix + ".orders.new";

    protected string State => Dir.File("state.db");

    protected string Output => Dir.File("out");

    public virtual async Task InitializeAsync() =>
        await Js.CreateStreamAsync(new StreamConfig(Stream, [Prefix + ".>"]) { Storage = StreamConfigStorage.File });

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => Dir.Dispose();

    /// <summary>Publishes <c>{"id": i, "name": "n{i}"}</c> for i = from … from + count - 1.</summary>
    protected async Task PublishAsync(int from, int count)
    {
        for (int i = from; i < from + count; i++)
        {
            (await Js.PublishAsync(Subject, Encoding.UTF8.GetBytes($$"""{"id":{{i}},"name":"n{{i}}"}"""))).EnsureSuccess();
        }
    }

    protected async Task<ulong> PublishRawAsync(byte[] payload)
    {
        var ack = await Js.PublishAsync(Subject, payload);
        ack.EnsureSuccess();
        return ack.Seq;
    }

    /// <summary>A pipeline: the test's stream → a contract (id int64, name string) → a jsonl sink in <see cref="Output"/>.</summary>
    protected string Pipeline(string extraSource = "", long everyRecords = 0, string unknownFields = "reject", string extra = "") =>
        Dir.Write("pipeline.yaml", $$"""
            name: nats-orders
            source:
              type: nats_jetstream
              url: "{{fixture.Server.Url}}"
              stream: {{Stream}}
              consumer: loader
            {{Indent(extraSource)}}
            contract:
              unknown_fields: {{unknownFields}}
              fields:
                id: { type: int64, required: true }
                name: { type: string }
            sink:
              type: jsonl
              path: out
            checkpoint:
              every_records: {{everyRecords}}
              every_seconds: 0
            {{extra}}
            """);

    protected static string Indent(string text) => string.Join("\n", text.Split('\n').Select(l => l.Length == 0 ? l : "  " + l));

    protected Task<CliResult> RunAsync(string pipeline) => Cli.Tests.TestSupport.Sluice.RunAsync("run", pipeline, "--state", State);

    /// <summary>The ids in the committed output files, in file order.</summary>
    protected List<long> OutputIds()
    {
        if (!Directory.Exists(Output))
        {
            return [];
        }
        return Directory.EnumerateFiles(Output, "*.jsonl").Order(StringComparer.Ordinal)
            .SelectMany(File.ReadAllLines)
            .Where(l => l.Length > 0)
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetInt64())
            .ToList();
    }

    /// <summary>The consumer's messages delivered and not acknowledged, once acknowledgements sent have been
    /// processed (the server applies them asynchronously: waits up to 5 s for the count to reach 0).</summary>
    protected async Task<long> PendingAsync(string consumer = "loader")
    {
        long pending = -1;
        for (int i = 0; i < 50; i++)
        {
            var info = await Js.GetConsumerAsync(Stream, consumer);
            pending = info.Info.NumAckPending;
            if (pending == 0)
            {
                break;
            }
            await Task.Delay(100);
        }
        return pending;
    }

    protected static void AssertExactlyOnce(IEnumerable<long> expected, List<long> ids)
    {
        var duplicates = ids.GroupBy(i => i).Where(g => g.Count() > 1).Select(g => g.Key).Take(10).ToList();
        Assert.True(duplicates.Count == 0, $"written twice: {string.Join(", ", duplicates)}");
        Assert.Equal(expected.Order(), ids.Order());
    }
}
