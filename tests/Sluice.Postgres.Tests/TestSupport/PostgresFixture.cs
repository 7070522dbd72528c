using Sluice.ServiceFixtures;

namespace Sluice.Postgres.Tests.TestSupport;

/// <summary>One private PostgreSQL server for the whole test assembly (its tests share the collection, so they run one
/// after another); each test works in a schema of its own.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public PostgresServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await PostgresServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "postgres";
}
