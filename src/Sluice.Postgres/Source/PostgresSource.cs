using System.Runtime.CompilerServices;
using Apache.Arrow;
using Npgsql;
using Sluice.Extensibility;

namespace Sluice.Postgres.Source;

/// <summary>
/// The <c>postgres</c> source. Reads pages of <c>batch_size</c> rows in key order, each starting strictly after the
/// last key read (<see cref="ReadPlan"/>); a page is one statement, read whole before its batch is emitted, so a
/// page that fails (the server restarts, the connection breaks) is read again under the pipeline's
/// <c>resilience.retry</c> without having emitted or dead-lettered anything twice.
/// Reads in passes: a pass is the pages up to what is there when it starts — with a cursor, below the newest value of
/// its first column (<see cref="ReadPlan.HoldBack"/>) or older than <c>settle</c>.
/// Emits when: a page is read (one batch per page; a page whose rows were all dead-lettered is an empty batch that
/// moves the position). Backpressures when: downstream does (the next page is not asked for until the batch is
/// taken). Completes when: a pass ends (a page comes back short) — or, under <c>--follow</c>, never: it then starts
/// a pass every <c>FollowPoll</c>, emitting an empty batch each time. Cancels on the token.
/// The position is the last key read (<see cref="KeyPosition"/>). With a cursor the source continues across runs;
/// committing needs nothing from the server (the engine stores the position), so <see cref="ISource.CommittedAsync"/>
/// is the default.
/// </summary>
internal sealed class PostgresSource : IReplayableSource, INamedDataset
{
    private readonly ConnectionText _connection;
    private readonly ReadPlan _plan;
    private readonly int _pageRows;
    private readonly RetryPolicy _retry;
    private readonly TimeSpan? _follow;
    private readonly string _stage;

    public PostgresSource(ConnectionText connection, ReadPlan plan, int? pageRows, BuildContext context)
    {
        _connection = connection;
        _plan = plan;
        _pageRows = pageRows ?? context.BatchRows(Math.Max(plan.Columns.Count, 1));
        _retry = context.Resilience.Retry;
        _follow = context.FollowPoll;
        _stage = context.StageName;
        Schema = new Schema(plan.Columns.Select(c => c.ArrowField), null);
    }

    public Schema Schema { get; }

    public bool ContinuesAcrossRuns => _plan.Incremental;

    /// <summary>The table or view; a query's tables are not parsed out of its SQL, so it is named <c>query:{stage}</c>.</summary>
    public LineageDataset Dataset => _connection.Dataset(_plan.Table ?? $"query:{_stage}");

    public async IAsyncEnumerable<Batch> ReadAsync(StageContext context, SourcePosition? resumeAfter,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var after = KeyPosition.From(resumeAfter, _plan.KeyNames, _stage, _plan.Incremental);
        // Sources are not disposed by the engine: the pool lives as long as the reading does.
        await using var data = NpgsqlDataSource.Create(_connection.ForRun);
        while (true)
        {
            // A pass: the pages up to what is there now (below the newest cursor value when ties must wait).
            string? below = _plan.HoldBack ? await RetryAsync(data, "the newest cursor value of", ReadBoundAsync, cancellationToken) : null;
            while (!_plan.HoldBack || below is not null)
            {
                var page = await RetryAsync(data, "reading", (d, ct) => ReadPageOnceAsync(d, after, below, ct), cancellationToken);
                foreach (var (origin, misfit) in page.Letters)
                {
                    context.DeadLetter(origin, DeadLetterReason.Parse, misfit.Field, misfit.Rule, misfit.Message);
                }
                if (page.Rows > 0)
                {
                    context.RecordsRead(page.Rows);
                    after = page.Last;
                    yield return page.Batch ?? Batch.Empty(Schema, after!.ToSource());
                }
                if (page.Rows < _pageRows)
                {
                    break;
                }
            }
            if (_follow is not { } poll)
            {
                yield break;
            }
            await Task.Delay(poll, cancellationToken);
            yield return Batch.Empty(Schema, after?.ToSource());
        }
    }

    private async Task<string?> ReadBoundAsync(NpgsqlDataSource data, CancellationToken cancellationToken)
    {
        await using var connection = await data.OpenConnectionAsync(cancellationToken);
        await using var command = _plan.BoundCommand(connection);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    /// <summary>Runs one statement's work, trying again after a transient failure as <c>resilience.retry</c> says
    /// (it has emitted nothing yet, so trying again is safe); past its tries, one <see cref="PostgresSourceException"/>
    /// naming the server and what failed.</summary>
    private async Task<T> RetryAsync<T>(NpgsqlDataSource data, string doing, Func<NpgsqlDataSource, CancellationToken, Task<T>> work,
        CancellationToken cancellationToken)
    {
        var delay = _retry.Delay;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await work(data, cancellationToken);
            }
            catch (Exception e) when (attempt < _retry.Attempts && ConnectionText.IsTransient(e) && !cancellationToken.IsCancellationRequested)
            {
                data.Clear(); // the pool's other connections died with this one (a restart): do not hand them out
                var wait = _retry.Jitter ? delay * (0.5 + Random.Shared.NextDouble()) : delay;
                await Task.Delay(wait < _retry.MaxDelay ? wait : _retry.MaxDelay, cancellationToken);
                delay *= 2;
            }
            catch (Exception e) when (IsDatabaseFailure(e) && !cancellationToken.IsCancellationRequested)
            {
                string tries = ConnectionText.IsTransient(e) ? $" (after {attempt} {(attempt == 1 ? "try" : "tries")})" : "";
                throw new PostgresSourceException($"postgres source '{_stage}': {doing} {_plan.Input} failed{tries}: {_connection.Describe(e)}", ConnectionText.ConnectionEnded(e));
            }
        }
    }

    private async Task<Page> ReadPageOnceAsync(NpgsqlDataSource data, KeyPosition? after, string? below, CancellationToken cancellationToken)
    {
        await using var connection = await data.OpenConnectionAsync(cancellationToken);
        await using var command = _plan.PageCommand(connection, after, _pageRows, below);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var columns = _plan.Columns;
        int keyCount = _plan.Key.Count;
        var page = new PageColumns(columns, Math.Min(_pageRows, 1024));
        var positions = new List<string>();
        var letters = new List<(RowOrigin, Misfit)>();
        string[]? last = null;
        int rows = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            rows++;
            var key = new string[keyCount];
            for (int k = 0; k < keyCount; k++)
            {
                key[k] = reader.GetString(columns.Count + k);
            }
            if (last is not null && key.AsSpan().SequenceEqual(last))
            {
                throw new PostgresSourceException(
                    $"postgres source '{_stage}': two rows of {_plan.Input} have the same {(_plan.Incremental ? "cursor" : "key")} [{string.Join(", ", _plan.KeyNames)}] = {KeyPosition.Describe(key)}, so rows could be skipped between pages: " +
                    "the cursor must identify a row; add the key columns to it, e.g. cursor: [updated_at, id]");
            }
            last = key;
            string position = KeyPosition.Describe(key);
            page.StartRow();
            if (Values.ReadRow(reader, columns, page) is { } misfit)
            {
                letters.Add((new RowOrigin(_plan.Input, position, RowJson.FromReader(reader, columns)), misfit));
                continue;
            }
            page.EndRow();
            positions.Add(position);
        }
        var reached = last is null ? null : new KeyPosition(_plan.KeyNames, last);
        Batch? batch = null;
        if (page.Count > 0)
        {
            var built = page.Build(Schema);
            batch = new Batch(built, new RowOrigins(new PageRows(_plan.Input, positions, built, columns)), reached!.ToSource());
        }
        return new Page(rows, batch, reached, letters);
    }

    public bool Reads(string file) => file == _plan.Input;

    /// <summary>Reads dead letters' bytes (a row as a JSON object, <see cref="RowJson"/>) back as the source reads a
    /// row, for <c>sluice dlq replay</c>.</summary>
    public Batch Parse(IOriginalRows records, StageContext context)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(context);
        var origins = new RowOrigins(records);
        var page = new PageColumns(_plan.Columns, records.Count);
        var kept = new List<int>(records.Count);
        for (int i = 0; i < records.Count; i++)
        {
            var origin = origins[i];
            page.StartRow();
            if (RowJson.Parse(origin.Original.Span, _plan.Columns, page) is { } misfit)
            {
                context.DeadLetter(origin, DeadLetterReason.Parse, misfit.Field.Length == 0 ? null : misfit.Field, misfit.Rule, misfit.Message);
                continue;
            }
            page.EndRow();
            kept.Add(i);
        }
        return new Batch(page.Build(Schema), origins.Select(kept.ToArray()));
    }

    private static bool IsDatabaseFailure(Exception e) =>
        e is NpgsqlException or IOException or TimeoutException or System.Net.Sockets.SocketException or InvalidOperationException
        && e is not PostgresSourceException;

    private sealed record Page(int Rows, Batch? Batch, KeyPosition? Last, List<(RowOrigin Origin, Misfit Misfit)> Letters);

    /// <summary>The rows of a page: their key as the position, their JSON made only for a dead letter.</summary>
    private sealed class PageRows(string input, List<string> positions, RecordBatch data, IReadOnlyList<SourceColumn> columns) : IOriginalRows
    {
        public string Input => input;
        public int Count => positions.Count;
        public string Position(int index) => positions[index];
        public ReadOnlyMemory<byte> Bytes(int index) => RowJson.FromBatch(data, columns, index);
    }
}
