using System.Text.Json;
using Sluice.Cli.Tests.TestSupport;
using Sluice.ServiceFixtures;
using StackExchange.Redis;

namespace Sluice.Redis.Tests.TestSupport;

/// <summary>One private Redis for all the tests of the collection.</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    public RedisServer Server { get; private set; } = null!;

    public ConnectionMultiplexer Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await RedisServer.StartAsync();
        Client = await ConnectionMultiplexer.ConnectAsync(Server.ConnectionString + ",abortConnect=false");
    }

    public async Task DisposeAsync()
    {
        await Client.DisposeAsync();
        await Server.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisFixture>
{
    public const string Name = "redis";
}

/// <summary>
/// Base of the tests against the private server: a stream key of the test's own, a temp folder for the pipeline
/// file, its output and the state file, and helpers to run <c>sluice</c> and read the output back.
/// </summary>
[Collection(RedisCollection.Name)]
public abstract class RedisTest(RedisFixture fixture) : IDisposable
{
    protected TempDir Dir { get; } = new();

    protected RedisFixture Fixture => fixture;

    protected IDatabase Db => fixture.Client.GetDatabase();

    protected string Stream { get; } = "orders-" + Guid.NewGuid().ToString("N")[..8];

    protected string State => Dir.File("state.db");

    protected string Output => Dir.File("out");

    public void Dispose() => Dir.Dispose();

    /// <summary>Adds entries <c>id</c> = from … from + count - 1, each with a <c>name</c>.</summary>
    protected async Task AddAsync(int from, int count)
    {
        var batch = Db.CreateBatch();
        var adds = Enumerable.Range(from, count)
            .Select(i => batch.StreamAddAsync(Stream, [new NameValueEntry("id", i), new NameValueEntry("name", $"n{i}")]))
            .ToList();
        batch.Execute();
        await Task.WhenAll(adds);
    }

    /// <summary>A pipeline: the test's stream → a contract (id int64, name string) → a jsonl sink in <see cref="Output"/>.</summary>
    protected string Pipeline(string extraSource = "", long everyRecords = 0, string unknownFields = "reject", string extra = "") =>
        Dir.Write("pipeline.yaml", $$"""
            name: redis-orders
            source:
              type: redis_stream
              connection: "{{fixture.Server.ConnectionString}}"
              streams: [{{Stream}}]
              group: loaders
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

    private static string Indent(string text) => string.Join("\n", text.Split('\n').Select(l => l.Length == 0 ? l : "  " + l));

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

    protected async Task<long> PendingAsync() => (await Db.StreamPendingAsync(Stream, "loaders")).PendingMessageCount;

    protected static void AssertExactlyOnce(IEnumerable<long> expected, List<long> ids)
    {
        var duplicates = ids.GroupBy(i => i).Where(g => g.Count() > 1).Select(g => g.Key).Take(10).ToList();
        Assert.True(duplicates.Count == 0, $"written twice: {string.Join(", ", duplicates)}");
        Assert.Equal(expected.Order(), ids.Order());
    }
}
