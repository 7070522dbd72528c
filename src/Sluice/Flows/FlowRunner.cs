using System.Security.Cryptography;
using System.Text;
using Sluice.Pipelines;
using Sluice.State;

namespace Sluice.Flows;

/// <summary>
/// Runs flows on a SQLite state store. A flow run holds a lease on its flow (and partition), so two processes never
/// run it at once; every task state change is in the state file before the next step, so a flow run that dies is
/// resumed by the next <see cref="RunAsync"/>: completed and cached tasks keep their results, interrupted ones run
/// again (a pipeline task going on from its checkpoint).
/// </summary>
public sealed class FlowRunner
{
    private readonly SqliteFlowStore _store;
    private readonly FlowRunnerOptions _options;

    public FlowRunner(SqliteStateStore store, FlowRunnerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = new SqliteFlowStore(store);
        _options = options ?? new FlowRunnerOptions();
    }

    /// <summary>Checks the flow (throwing <see cref="PipelineException"/> with every problem), takes its lease
    /// (throwing <see cref="LeaseHeldException"/> while another process runs it), then resumes its newest unfinished
    /// run for the partition when it had the same parameters (unless <see cref="FlowRunRequest.Fresh"/>) or starts a
    /// new one, and runs it to its end. Cancelling the token cancels the running tasks; the run ends cancelled and the
    /// next call resumes it. With <see cref="FlowRunRequest.ScheduledFor"/>, only that slot's run is resumed, and only
    /// when it was interrupted (its process died or was stopped), so that <c>sluice serve</c> finishes what it started.</summary>
    /// <returns>How it ended; null only when <see cref="FlowRunRequest.ScheduledFor"/>'s slot had a run already that
    /// is over (succeeded, failed, cancelled by <c>sluice flow cancel</c>), or that was interrupted but had other
    /// parameters (the flow's defaults changed meanwhile): a slot never gets a second run.</returns>
    public async Task<FlowRunResult?> RunAsync(FlowDefinition flow, FlowRunRequest? request = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(flow);
        request ??= new FlowRunRequest();
        if (FlowChecks.Problems(flow) is { Count: > 0 } problems)
        {
            throw new PipelineException(problems);
        }
        string partition = request.Partition ?? "";
        if (PartitionProblem(flow, request.Partition) is { } wrong)
        {
            throw new PipelineException(null, wrong);
        }
        var parameters = ResolveParameters(flow, request.Parameters, partition);
        string leaseName = "flow:" + flow.Name + (partition.Length > 0 ? $"[{partition}]" : "");
        var lease = await AcquireLeaseAsync(leaseName, cancellationToken);
        try
        {
            var prior = request.Fresh ? null
                : request.ScheduledFor is { } slot ? await _store.FindResumableSlotAsync(flow.Name, slot, cancellationToken)
                : await _store.FindResumableAsync(flow.Name, partition, cancellationToken);
            FlowRunRecord? run;
            bool resumed = prior is not null && prior.Partition == partition && SameParameters(prior.Parameters, parameters);
            if (resumed)
            {
                await _store.ReopenFlowRunAsync(prior!.Run.Id, FlowTaskGraph.Of(flow), cancellationToken);
                run = prior;
            }
            else
            {
                run = await _store.StartFlowRunAsync(flow.Name, partition, parameters, DefinitionHash(flow), request.ScheduledFor,
                    FlowTaskGraph.Of(flow), cancellationToken);
                if (run is null)
                {
                    return null;
                }
            }
            _options.OnStart?.Invoke(run, resumed);
            var tasks = resumed ? await _store.ListTasksAsync(run.Run.Id, cancellationToken) : [];
            var execution = new FlowExecution(flow, run, parameters, partition.Length > 0 ? partition : null, tasks, _store, _options, lease);
            return await execution.RunAsync(resumed, cancellationToken);
        }
        finally
        {
            await _store.State.ReleaseLeaseAsync(lease, CancellationToken.None);
        }
    }

    private async Task<Lease> AcquireLeaseAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return await _store.State.AcquireLeaseAsync(name, Holder, _options.Pipelines.LeaseDuration, cancellationToken);
        }
        catch (LeaseHeldException e) when (LocalProcesses.IsDead(e.Holder))
        {
            await _store.State.ReleaseLeaseAsync(e.Held, cancellationToken);
            return await _store.State.AcquireLeaseAsync(name, Holder, _options.Pipelines.LeaseDuration, cancellationToken);
        }
    }

    private string Holder { get; } = LocalProcesses.NewHolder();

    /// <summary>Why <paramref name="partition"/> cannot be run: a partition of a flow that has none, a name that is
    /// not a day, or a day outside the flow's partitions. A run of a partitioned flow may go without one (a run by hand
    /// of the whole flow).</summary>
    private static string? PartitionProblem(FlowDefinition flow, string? partition) => (flow.Partitions, partition) switch
    {
        (null, null) => null,
        ({ } days, null) => $"flow '{flow.Name}' is partitioned ({days}): give the day a run computes (`flow run --partition YYYY-MM-DD`), or a range of days to `flow backfill`",
        (null, _) => $"flow '{flow.Name}' has no partitions: run it without a partition, or give it `partitions:`",
        (_, var name) when !FlowPartitions.TryParseDate(name, out _) => $"partition '{name}' is not a day: write it YYYY-MM-DD (2024-01-31)",
        ({ } days, var name) when !days.Contains(DateOnly.ParseExact(name, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)) =>
            $"partition {name} is outside the flow's partitions ({days})",
        _ => null,
    };

    /// <summary>Every declared parameter's value: given, else its default (which may use <c>${partition}</c>).</summary>
    internal static Dictionary<string, string> ResolveParameters(FlowDefinition flow, IReadOnlyDictionary<string, string> given, string partition)
    {
        var problems = new List<string>();
        foreach (string unknown in given.Keys.Where(k => !flow.Parameters.ContainsKey(k)))
        {
            problems.Add($"flow '{flow.Name}' has no parameter '{unknown}'" +
                (flow.Parameters.Count == 0 ? " (it declares none)" : $"; it declares: {string.Join(", ", flow.Parameters.Keys)}"));
        }
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, fallback) in flow.Parameters)
        {
            if (given.TryGetValue(name, out var value))
            {
                values[name] = value;
            }
            else if (fallback is not null)
            {
                values[name] = fallback.Replace("${partition}", partition, StringComparison.Ordinal);
            }
            else
            {
                problems.Add($"parameter '{name}' of flow '{flow.Name}' has no default: give it (--param {name}=VALUE)");
            }
        }
        if (problems.Count > 0)
        {
            throw new PipelineException(problems.Select(p => new Diagnostic(null, p)).ToList());
        }
        return values;
    }

    private static bool SameParameters(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out var v) && v == p.Value);

    /// <summary>A digest of what the flow does, kept with each run.</summary>
    internal static string DefinitionHash(FlowDefinition flow)
    {
        var text = new StringBuilder(flow.Name);
        foreach (var task in flow.Tasks)
        {
            text.Append('\n').Append(task.Name).Append(' ').Append(task.Action.Definition)
                .Append(" after ").AppendJoin(',', task.DependsOn)
                .Append(" retry ").Append(task.Retry).Append(" timeout ").Append(task.Timeout)
                .Append(" cache ").AppendJoin(',', task.Cache?.Inputs ?? []).Append(task.Cache?.Expire)
                .Append(" tags ").AppendJoin(',', task.Tags)
                .Append(" map ").Append(task.Map?.Glob).Append(task.Map?.LinesOf).AppendJoin(',', task.Map?.Items ?? []);
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }
}
