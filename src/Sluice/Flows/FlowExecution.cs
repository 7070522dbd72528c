using System.Text.Json;
using System.Text.Json.Nodes;
using Sluice.Configuration;
using Sluice.Connectors.Files;
using Sluice.Lineage;
using Sluice.State;

namespace Sluice.Flows;

/// <summary>
/// One flow run in progress. Each task is an async method that waits for the tasks it depends on, then runs its
/// instance (or its mapped instances) under the flow's slots and the tags' limits, retrying as told. Every state change
/// is saved before the step that follows it: a dependent starts only once its upstream's completion is in the file,
/// so a resumed run never finds a task completed whose upstream is not.
/// </summary>
internal sealed class FlowExecution
{
    private readonly FlowDefinition _flow;
    private readonly FlowRunRecord _run;
    private readonly IReadOnlyDictionary<string, string> _parameters;
    private readonly string? _partition;
    private readonly SqliteFlowStore _store;
    private readonly FlowRunnerOptions _options;
    private readonly TimeProvider _time;
    private readonly Dictionary<(string Task, int Instance), TaskRunRecord> _rows = [];
    private readonly Dictionary<string, TaskCompletionSource<TaskRunRecord>> _done;
    private readonly SemaphoreSlim _slots;
    private readonly Lock _lock = new();
    private readonly Lock _notifyLock = new();
    private readonly string _holder = LocalProcesses.NewHolder();
    private Lease _lease;

    public FlowExecution(FlowDefinition flow, FlowRunRecord run, IReadOnlyDictionary<string, string> parameters, string? partition,
        IReadOnlyList<TaskRunRecord> stored, SqliteFlowStore store, FlowRunnerOptions options, Lease lease)
    {
        _flow = flow;
        _run = run;
        _parameters = parameters;
        _partition = partition;
        _store = store;
        _options = options;
        _time = options.Time;
        _lease = lease;
        _slots = new SemaphoreSlim(flow.MaxParallel);
        foreach (var row in stored)
        {
            _rows[(row.Task, row.Instance)] = row;
        }
        _done = flow.Tasks.ToDictionary(t => t.Name, _ => new TaskCompletionSource<TaskRunRecord>(TaskCreationOptions.RunContinuationsAsynchronously));
    }

    private string RunId => _run.Run.Id;

    public async Task<FlowRunResult> RunAsync(bool resumed, CancellationToken cancellationToken)
    {
        var lineage = new FlowRunLineage(_options.Pipelines.Lineage, _flow.Name, RunId);
        var now = _time.GetUtcNow();
        // Left running by a process that died: recorded as crashed, then run again like any unfinished task.
        var crashed = _rows.Values.Where(r => r.State == TaskState.Running)
            .Select(r => r with { State = TaskState.Crashed, EndedAt = now, Error = "the process running it ended before it did" }).ToList();
        if (crashed.Count > 0)
        {
            await SaveAsync(crashed, null);
        }
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var stopWatching = new CancellationTokenSource();
        var watcher = WatchAsync(cancel, stopWatching.Token);
        try
        {
            await Task.WhenAll(_flow.Tasks.Select(t => RunTaskAsync(t, cancel.Token)));
        }
        finally
        {
            await stopWatching.CancelAsync();
            await watcher;
        }
        var tops = _flow.Tasks.Select(t => Row(t.Name, -1)!).ToList();
        RunState state;
        string? error = null;
        if (tops.All(t => t.State is TaskState.Completed or TaskState.Cached))
        {
            state = RunState.Succeeded;
        }
        else if (tops.Any(t => t.State == TaskState.Cancelled))
        {
            state = RunState.Cancelled;
            error = "cancelled";
        }
        else
        {
            state = RunState.Failed;
            // The first to fail, in time: what failed after it is often its consequence.
            var failed = tops.Where(t => t.State == TaskState.Failed).MinBy(t => t.EndedAt ?? DateTimeOffset.MaxValue)!;
            error = $"task '{failed.Task}' failed: {failed.Error}";
        }
        await lineage.EndAsync(_store.State, state, error);
        await _store.FinishFlowRunAsync(RunId, state, error, CancellationToken.None);
        TaskFolder.DeleteRun(_store.State.Path, RunId);
        var record = await _store.FindFlowRunAsync(RunId, CancellationToken.None) ?? _run;
        return new FlowRunResult(record, await _store.ListTasksAsync(RunId, CancellationToken.None), resumed);
    }

    /// <summary>Until the run ends: renews its lease and tag slots, and cancels it when <c>sluice flow cancel</c> asks.</summary>
    private async Task WatchAsync(CancellationTokenSource cancel, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(_options.PollInterval, stop);
                _lease = await _store.State.RenewLeaseAsync(_lease, _options.Pipelines.LeaseDuration, stop);
                await _store.RenewTagsAsync(_holder, _options.TagLease, stop);
                if (await _store.CancelRequestedAsync(RunId, stop))
                {
                    await cancel.CancelAsync();
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (LeaseLostException)
        {
            await cancel.CancelAsync(); // another process took the flow over: stop at once rather than run tasks twice
        }
    }

    private async Task RunTaskAsync(FlowTask task, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var row = Row(task.Name, -1) ?? NewRow(task.Name, -1, null);
        try
        {
            if (row.State is TaskState.Completed or TaskState.Cached)
            {
                return;
            }
            var upstream = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
            foreach (string dependency in task.DependsOn)
            {
                var done = await _done[dependency].Task;
                if (done.State is not (TaskState.Completed or TaskState.Cached))
                {
                    await RecordAsync(row with { State = TaskState.Skipped, EndedAt = _time.GetUtcNow(), Error = $"'{dependency}' {FlowValues.Code(done.State)}" });
                    return;
                }
                upstream[dependency] = done.Result is null ? null : JsonNode.Parse(done.Result);
            }
            var scope = new TemplateScope(_flow.Name, RunId, _parameters, null, _partition, upstream);
            if (cancellationToken.IsCancellationRequested)
            {
                await RecordAsync(row with { State = TaskState.Cancelled, EndedAt = _time.GetUtcNow(), Error = "cancelled" });
            }
            else if (task.Map is { } map)
            {
                await RunMappedAsync(task, map, row, scope, cancellationToken);
            }
            else
            {
                await RunInstanceAsync(task, row, scope, cancellationToken);
            }
        }
        catch (Exception e) when (e is FlowException or IOException or UnauthorizedAccessException)
        {
            await RecordAsync((Row(task.Name, -1) ?? row) with { State = TaskState.Failed, EndedAt = _time.GetUtcNow(), Error = e.Message });
        }
        finally
        {
            _done[task.Name].TrySetResult(Row(task.Name, -1) ?? row);
        }
    }

    private async Task RunMappedAsync(FlowTask task, TaskMap map, TaskRunRecord parent, TemplateScope scope, CancellationToken cancellationToken)
    {
        var instances = InstancesOf(task.Name);
        if (instances.Count == 0)
        {
            // The list is fixed when the task first starts and kept with the run: a resumed run maps over the same items
            // even if the glob would match other files now.
            var items = Items(map, scope);
            parent = parent with { State = TaskState.Running, Attempts = 1, StartedAt = _time.GetUtcNow() };
            instances = items.Select((item, i) => NewRow(task.Name, i, item)).ToList();
            await SaveAsync([parent, .. instances], $"mapped over {items.Count} items");
        }
        else
        {
            // Resumed: its duration counts from now, like a re-run instance's, not across the time it lay stopped.
            parent = parent with { State = TaskState.Running, StartedAt = _time.GetUtcNow(), EndedAt = null, Error = null };
            await RecordAsync(parent);
        }
        using var gate = new SemaphoreSlim(map.Parallel);
        var ended = await Task.WhenAll(instances.Select(async instance =>
        {
            if (instance.State is TaskState.Completed or TaskState.Cached)
            {
                return instance;
            }
            try
            {
                await gate.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return await RecordAsync(instance with { State = TaskState.Cancelled, EndedAt = _time.GetUtcNow(), Error = "cancelled" });
            }
            try
            {
                return await RunInstanceAsync(task, instance, scope with { Item = instance.Item }, cancellationToken);
            }
            catch (FlowException e)
            {
                return await RecordAsync(instance with { State = TaskState.Failed, EndedAt = _time.GetUtcNow(), Error = e.Message });
            }
            finally
            {
                gate.Release();
            }
        }));
        var results = new JsonArray();
        foreach (var instance in ended)
        {
            results.Add(instance.State is TaskState.Completed or TaskState.Cached && instance.Result is { } result
                ? JsonNode.Parse(result)
                : new JsonObject { ["item"] = instance.Item, ["state"] = FlowValues.Code(instance.State), ["error"] = instance.Error });
        }
        int failed = ended.Count(i => i.State is TaskState.Failed);
        int cancelled = ended.Count(i => i.State is TaskState.Cancelled);
        var first = ended.FirstOrDefault(i => i.State == TaskState.Failed);
        var (state, error) = cancelled > 0 ? (TaskState.Cancelled, "cancelled")
            : failed > 0 && _flow.OnMappedFailure == MappedFailure.Fail
                ? (TaskState.Failed, $"{failed} of {ended.Length} instances failed; the first: {first!.Item}: {first.Error}")
                : (TaskState.Completed, failed > 0 ? $"{failed} of {ended.Length} instances failed (on_mapped_failure: continue)" : null);
        await RecordAsync(parent with { State = state, EndedAt = _time.GetUtcNow(), Result = results.ToJsonString(), Error = error });
    }

    /// <summary>A mapped task's items, from the glob, the list or an upstream result.</summary>
    private List<string> Items(TaskMap map, TemplateScope scope)
    {
        if (map.Glob is { } glob)
        {
            return [.. FileGlob.Expand(TaskTemplate.Expand(glob, scope), _flow.BaseDirectory)];
        }
        if (map.Items is { } items)
        {
            return [.. items.Select(i => TaskTemplate.Expand(i, scope))];
        }
        var result = scope.Upstream[map.LinesOf!];
        var list = result switch
        {
            JsonObject o when o["value"] is JsonArray array => array,
            JsonObject o when o["value"] is JsonValue text && text.GetValueKind() == JsonValueKind.String =>
                new JsonArray([.. text.GetValue<string>().Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).Select(l => (JsonNode?)JsonValue.Create(l))]),
            JsonObject o when o["value"] is JsonValue one => [one.DeepClone()], // "2024" in the file: one line, read as a number
            JsonArray array => array,
            _ => throw new FlowException($"the result of '{map.LinesOf}' holds no list to map over (a command writes a JSON array, or text with one item per line, to $SLUICE_RESULT)"),
        };
        return [.. list.Select(n => n is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : n?.ToJsonString() ?? "")];
    }

    /// <summary>Runs one instance (the task itself, or one mapped instance) to its end: cached, completed, failed
    /// after its retries, or cancelled.</summary>
    private async Task<TaskRunRecord> RunInstanceAsync(FlowTask task, TaskRunRecord row, TemplateScope scope, CancellationToken cancellationToken)
    {
        var action = Expand(task.Action, scope);
        string? key = null;
        if (task.Cache is { } cache)
        {
            var inputs = cache.Inputs.Select(i => TaskTemplate.Expand(i, scope)).ToList();
            if (action is PipelineTaskAction pipeline)
            {
                inputs.Add(pipeline.Path);
            }
            key = await CacheKeys.ComputeAsync(_flow.Name, task, action.Definition, _flow.BaseDirectory, _parameters, _partition, scope.Item,
                scope.Upstream, inputs, cancellationToken);
            if (await _store.FindCachedAsync(key, cancellationToken) is { } cached)
            {
                var now = _time.GetUtcNow();
                return await RecordAsync(row with { State = TaskState.Cached, CacheKey = key, Result = cached, StartedAt = now, EndedAt = now, Error = null });
            }
        }
        for (int attempt = 1; ; attempt++)
        {
            var slots = await TakeSlotsAsync(task, row, cancellationToken);
            if (slots is null)
            {
                return await RecordAsync(row with { State = TaskState.Cancelled, EndedAt = _time.GetUtcNow(), Error = "cancelled" });
            }
            string? error;
            try
            {
                // What an attempt in a killed flow process left running is stopped first: one copy of a task at a time.
                string? stopped = StartsProcess(action) ? await Folder(task, row).StopLeftoverAsync() : null;
                row = await RecordAsync(row with
                {
                    State = TaskState.Running, Attempts = row.Attempts + 1, StartedAt = _time.GetUtcNow(), EndedAt = null, CacheKey = key, Error = null,
                }, stopped);
                using var timeout = new CancellationTokenSource(task.Timeout ?? Timeout.InfiniteTimeSpan, _time);
                using var attemptToken = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
                try
                {
                    var (result, output) = await ExecuteAsync(task, action, row, scope,
                        async id => row = await RecordAsync(row with { PipelineRunId = id }), attemptToken.Token);
                    row = await RecordAsync(row with
                    {
                        State = TaskState.Completed, EndedAt = _time.GetUtcNow(), Result = result?.ToJsonString() ?? "null", Output = output,
                    });
                    if (key is not null)
                    {
                        await _store.PutCachedAsync(key, _flow.Name, task.Name, row.Result!, RunId, task.Cache!.Expire, CancellationToken.None);
                    }
                    return row;
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return await RecordAsync(row with { State = TaskState.Cancelled, EndedAt = _time.GetUtcNow(), Error = "cancelled" });
                }
                catch (Exception e) when (e is not OperationCanceledException || timeout.IsCancellationRequested)
                {
                    error = timeout.IsCancellationRequested ? $"timed out after {DurationText.Format(task.Timeout!.Value)}" : Describe(e);
                    var failed = e as TaskFailedException;
                    row = row with { EndedAt = _time.GetUtcNow(), Error = error, Result = failed?.Result?.ToJsonString(), Output = failed?.Output ?? row.Output };
                }
            }
            finally
            {
                await ReleaseSlotsAsync(slots);
            }
            if (attempt > task.Retry.Retries)
            {
                return await RecordAsync(row with { State = TaskState.Failed });
            }
            var wait = Jittered(task.Retry, attempt);
            row = await RecordAsync(row with { State = TaskState.Pending },
                $"attempt {attempt} failed: {error}; retrying in {Readable(wait)}");
            try
            {
                await Task.Delay(wait, _time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return await RecordAsync(row with { State = TaskState.Cancelled, EndedAt = _time.GetUtcNow(), Error = "cancelled" });
            }
        }
    }

    /// <param name="pipelineStarted">Told a pipeline task's run id as soon as the run is recorded.</param>
    private async Task<(JsonNode? Result, string? Output)> ExecuteAsync(FlowTask task, TaskAction action, TaskRunRecord row,
        TemplateScope scope, Func<string, Task> pipelineStarted, CancellationToken cancellationToken)
    {
        switch (action)
        {
            case DelegateTaskAction code:
                var context = new TaskContext(RunId, task.Name, row.Attempts, _parameters, scope.Item, _partition, scope.Upstream);
                return (await code.Run(context, cancellationToken), null);
            case CommandTaskAction command:
                string folder = Path.GetFullPath(Path.Combine(_flow.BaseDirectory, command.WorkingDirectory ?? "."));
                var outcome = await CommandRunner.RunAsync(command, folder, CommandEnvironment(task, row, scope), Folder(task, row), cancellationToken);
                return (outcome.Result, outcome.Output);
            case PipelineTaskAction pipeline:
                string? instance = (_partition, scope.Item) switch
                {
                    (null, null) => null,
                    (_, null) => _partition,
                    (null, _) => $"{row.Instance}",
                    _ => $"{_partition}:{row.Instance}",
                };
                var result = await PipelineTaskRunner.RunAsync(pipeline, _flow.BaseDirectory, instance, _store.State, _options, RunId,
                    row.PipelineRunId, Folder(task, row), pipelineStarted, cancellationToken);
                return (result, null);
            default:
                throw new NotSupportedException(action.GetType().Name);
        }
    }

    private static bool StartsProcess(TaskAction action) => action is CommandTaskAction or PipelineTaskAction { MemoryLimit: not null };

    private TaskFolder Folder(FlowTask task, TaskRunRecord row) => TaskFolder.For(_store.State.Path, RunId, task.Name, row.Instance);

    /// <summary>What a command sees of the flow besides its own environment.</summary>
    private Dictionary<string, string> CommandEnvironment(FlowTask task, TaskRunRecord row, TemplateScope scope)
    {
        var environment = new Dictionary<string, string>
        {
            ["SLUICE_FLOW"] = _flow.Name,
            ["SLUICE_FLOW_RUN"] = RunId,
            ["SLUICE_TASK"] = task.Name,
            ["SLUICE_ATTEMPT"] = row.Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (scope.Item is { } item)
        {
            environment["SLUICE_ITEM"] = item;
        }
        if (_partition is { } partition)
        {
            environment["SLUICE_PARTITION"] = partition;
        }
        return environment;
    }

    private static TaskAction Expand(TaskAction action, TemplateScope scope) => action switch
    {
        PipelineTaskAction p => p with
        {
            Path = TaskTemplate.Expand(p.Path, scope),
            Parameters = p.Parameters.ToDictionary(e => e.Key, e => TaskTemplate.Expand(e.Value, scope)),
        },
        CommandTaskAction c => c with
        {
            Arguments = [.. c.Arguments.Select(a => TaskTemplate.Expand(a, scope))],
            Environment = c.Environment.ToDictionary(e => e.Key, e => TaskTemplate.Expand(e.Value, scope)),
            WorkingDirectory = c.WorkingDirectory is { } w ? TaskTemplate.Expand(w, scope) : null,
        },
        _ => action,
    };

    private static string Describe(Exception e) => e switch
    {
        TaskFailedException or FlowException => e.Message,
        _ => $"{e.GetType().Name}: {e.Message}",
    };

    /// <summary>A jittered wait as people read it: 89ms, 12.3s.</summary>
    private static string Readable(TimeSpan wait) => wait < TimeSpan.FromSeconds(1)
        ? $"{wait.TotalMilliseconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture)}ms"
        : $"{wait.TotalSeconds.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture)}s";

    /// <summary>The wait before retry <paramref name="retry"/>: between half of it and all of it with jitter, so that
    /// instances failing together (a server away) do not come back in step.</summary>
    private static TimeSpan Jittered(TaskRetry retry, int attempt)
    {
        var wait = retry.WaitBefore(attempt);
        return retry.Jitter ? wait * (0.5 + Random.Shared.NextDouble() * 0.5) : wait;
    }

    /// <summary>A slot of the flow and one of each of the task's tags (in name order, so two tasks never wait on each
    /// other's); null when the run is cancelled meanwhile.</summary>
    private async Task<List<string>?> TakeSlotsAsync(FlowTask task, TaskRunRecord row, CancellationToken cancellationToken)
    {
        try
        {
            await _slots.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        var taken = new List<string>();
        string slot = $"{RunId}/{row.Task}/{row.Instance}";
        try
        {
            foreach (string tag in task.Tags.Order(StringComparer.Ordinal))
            {
                var wait = TimeSpan.FromMilliseconds(20);
                while (!await _store.TryTakeTagAsync(tag, _flow.TagLimits[tag], _holder, slot, _options.TagLease, cancellationToken))
                {
                    await Task.Delay(wait, cancellationToken);
                    wait = TimeSpan.FromMilliseconds(Math.Min(wait.TotalMilliseconds * 2, 500));
                }
                taken.Add(tag);
            }
            return [.. taken.Select(t => t + "\n" + slot)];
        }
        catch (OperationCanceledException)
        {
            await ReleaseSlotsAsync([.. taken.Select(t => t + "\n" + slot)]);
            return null;
        }
    }

    private async Task ReleaseSlotsAsync(List<string> tags)
    {
        foreach (string held in tags)
        {
            var parts = held.Split('\n');
            await _store.ReleaseTagAsync(parts[0], _holder, parts[1], CancellationToken.None);
        }
        _slots.Release();
    }

    private TaskRunRecord NewRow(string task, int instance, string? item) =>
        new(RunId, task, instance, item, TaskState.Pending, 0, null, null, null, null, null, null, null);

    private TaskRunRecord? Row(string task, int instance)
    {
        lock (_lock)
        {
            return _rows.GetValueOrDefault((task, instance));
        }
    }

    private List<TaskRunRecord> InstancesOf(string task)
    {
        lock (_lock)
        {
            return [.. _rows.Values.Where(r => r.Task == task && r.Instance >= 0).OrderBy(r => r.Instance)];
        }
    }

    private async Task<TaskRunRecord> RecordAsync(TaskRunRecord row, string? message = null)
    {
        await SaveAsync([row], message);
        return row;
    }

    /// <summary>Saves the rows (a state change each) and tells <see cref="FlowRunnerOptions.OnChange"/>. Never
    /// cancelled: a state change that happened must be in the file.</summary>
    private async Task SaveAsync(IReadOnlyList<TaskRunRecord> rows, string? message)
    {
        lock (_lock)
        {
            foreach (var row in rows)
            {
                _rows[(row.Task, row.Instance)] = row;
            }
        }
        await _store.SaveAsync(rows, message, CancellationToken.None);
        if (_options.OnChange is { } onChange)
        {
            lock (_notifyLock)
            {
                foreach (var row in rows)
                {
                    onChange(row);
                }
            }
        }
    }
}
