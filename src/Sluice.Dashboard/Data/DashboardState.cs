namespace Sluice.Dashboard.Data;

/// <summary>The state file the dashboard shows, opened once (read-write: replay and purge write, and opening brings
/// its schema and the dashboard's indexes up to date) on the first request that finds it. Reads open their own
/// connections, so pages are served beside running pipelines and each other.</summary>
internal sealed class DashboardState(string path) : IAsyncDisposable
{
    private readonly SemaphoreSlim _opening = new(1, 1);
    private SqliteStateStore? _store;

    public string Path { get; } = System.IO.Path.GetFullPath(path);

    /// <summary>The store, or null while the file does not exist (no pipeline has run with it yet): the dashboard
    /// never creates an empty state file.</summary>
    public async Task<SqliteStateStore?> StoreAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _store) is { } open)
            return open;
        if (!File.Exists(Path))
            return null;
        await _opening.WaitAsync(cancellationToken);
        try
        {
            return _store ??= await SqliteStateStore.OpenAsync(Path, cancellationToken);
        }
        finally
        {
            _opening.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_store is not null)
            await _store.DisposeAsync();
    }
}
