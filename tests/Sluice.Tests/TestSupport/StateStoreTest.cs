using Sluice.State.Sqlite;

namespace Sluice.Tests.TestSupport;

/// <summary>Base of tests that run pipelines: a fresh temp folder and a real SQLite state file in it.</summary>
public abstract class StateStoreTest : IAsyncLifetime
{
    protected TempDir Dir { get; } = new();

    protected SqliteStateStore Store { get; private set; } = null!;

    /// <summary>Where the state file goes, relative to <see cref="Dir"/>.</summary>
    protected virtual string StatePath => "state.db";

    public virtual async Task InitializeAsync() => Store = await SqliteStateStore.OpenAsync(Dir.File(StatePath));

    public async Task DisposeAsync()
    {
        await Store.DisposeAsync();
        Dir.Dispose();
    }
}
