using System.Text.Json.Nodes;
using Sluice.Pipelines;

namespace Sluice.Flows;

/// <summary>
/// Builds a flow in C#:
/// <code>
/// var flow = new FlowBuilder("nightly")
///     .Parameter("date", "2024-01-01")
///     .Task("extract", t => t.Command("bash", "extract.sh", "${params.date}").Retries(3, TimeSpan.FromSeconds(1)))
///     .Task("load", t => t.Pipeline("load.yaml").DependsOn("extract"))
///     .Task("report", t => t.Run((context, ct) => Task.FromResult&lt;JsonNode?&gt;(context.Upstream["load"])).DependsOn("load"))
///     .Build();
/// </code>
/// </summary>
public sealed class FlowBuilder(string name)
{
    private readonly List<FlowTask> _tasks = [];
    private readonly Dictionary<string, string?> _parameters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _limits = new(StringComparer.Ordinal);
    private int _maxParallel = 8;
    private MappedFailure _onMappedFailure = MappedFailure.Fail;
    private string _baseDirectory = Directory.GetCurrentDirectory();
    private FlowSchedule? _schedule;
    private FlowPartitions? _partitions;

    /// <summary>Declares a parameter; without a default it must be given to every run.</summary>
    public FlowBuilder Parameter(string parameter, string? defaultValue = null)
    {
        _parameters[parameter] = defaultValue;
        return this;
    }

    /// <summary>At most <paramref name="limit"/> instances holding <paramref name="tag"/> run at once, across every
    /// flow and process sharing the state file.</summary>
    public FlowBuilder Limit(string tag, int limit)
    {
        _limits[tag] = limit;
        return this;
    }

    /// <inheritdoc cref="FlowDefinition.MaxParallel"/>
    public FlowBuilder MaxParallel(int instances)
    {
        _maxParallel = instances;
        return this;
    }

    /// <inheritdoc cref="FlowDefinition.OnMappedFailure"/>
    public FlowBuilder OnMappedFailure(MappedFailure policy)
    {
        _onMappedFailure = policy;
        return this;
    }

    /// <summary>Runs the flow at the slots of <paramref name="cron"/> in <paramref name="timeZone"/> (an IANA id; UTC
    /// when null) under <see cref="FlowServer"/>; see <see cref="FlowSchedule"/>.</summary>
    /// <exception cref="ArgumentException">The expression or the time zone is not valid.</exception>
    public FlowBuilder Schedule(string cron, string? timeZone = null, CatchUp catchUp = CatchUp.Latest)
    {
        _schedule = FlowSchedule.Parse(cron, timeZone, catchUp);
        return this;
    }

    /// <summary>One partition per day from <paramref name="from"/> (to <paramref name="to"/>); see <see cref="FlowPartitions"/>.</summary>
    public FlowBuilder DailyPartitions(DateOnly from, DateOnly? to = null)
    {
        _partitions = FlowPartitions.Daily(from, to);
        return this;
    }

    /// <summary>The folder relative paths resolve against; the current folder by default.</summary>
    public FlowBuilder BaseDirectory(string folder)
    {
        _baseDirectory = Path.GetFullPath(folder);
        return this;
    }

    public FlowBuilder Task(string task, Action<TaskBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var builder = new TaskBuilder(task);
        configure(builder);
        _tasks.Add(builder.Build());
        return this;
    }

    /// <summary>The flow; throws <see cref="PipelineException"/> listing every problem (unknown dependencies, a
    /// circle, a reference to an undeclared parameter …).</summary>
    public FlowDefinition Build()
    {
        var flow = new FlowDefinition(name, [.. _tasks])
        {
            Parameters = new Dictionary<string, string?>(_parameters),
            TagLimits = new Dictionary<string, int>(_limits),
            MaxParallel = _maxParallel,
            OnMappedFailure = _onMappedFailure,
            BaseDirectory = _baseDirectory,
            Schedule = _schedule,
            Partitions = _partitions,
        };
        return FlowChecks.Problems(flow) is { Count: > 0 } problems ? throw new PipelineException(problems) : flow;
    }
}

/// <summary>Configures one task of a <see cref="FlowBuilder"/>: one action, then what it depends on and how it runs.</summary>
public sealed class TaskBuilder
{
    private readonly string _name;
    private TaskAction? _action;
    private FlowTask? _options;

    internal TaskBuilder(string name)
    {
        _name = name;
        _options = new FlowTask(name, new DelegateTaskAction((_, _) => System.Threading.Tasks.Task.FromResult<JsonNode?>(null)));
    }

    /// <summary>Runs C# code; what it returns is the task's result.</summary>
    /// <param name="version">Part of the cache key: change it when the code computes something else.</param>
    public TaskBuilder Run(Func<TaskContext, CancellationToken, Task<JsonNode?>> code, string version = "1") => Action(new DelegateTaskAction(code, version));

    /// <summary>Runs a program with arguments (no shell).</summary>
    public TaskBuilder Command(params string[] arguments) => Action(new CommandTaskAction(arguments));

    /// <summary>Runs a program, with extra environment variables and a working folder.</summary>
    public TaskBuilder Command(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string>? environment, string? workingDirectory = null) =>
        Action(new CommandTaskAction(arguments) { Environment = environment ?? new Dictionary<string, string>(), WorkingDirectory = workingDirectory });

    /// <summary>Runs a pipeline file, filling its <c>${params.NAME}</c> references from <paramref name="parameters"/>;
    /// with <paramref name="memoryLimit"/> (bytes), in a <c>sluice run</c> process of its own held to it (see
    /// <see cref="PipelineTaskAction.MemoryLimit"/>).</summary>
    public TaskBuilder Pipeline(string path, IReadOnlyDictionary<string, string>? parameters = null, long? memoryLimit = null) =>
        Action(new PipelineTaskAction(path, parameters ?? new Dictionary<string, string>()) { MemoryLimit = memoryLimit });

    public TaskBuilder DependsOn(params string[] tasks) => With(o => o with { DependsOn = [.. o.DependsOn, .. tasks] });

    /// <summary><paramref name="retries"/> more attempts after a failure, waiting <paramref name="delay"/> (doubling,
    /// up to <paramref name="maxDelay"/>, one minute by default) before each.</summary>
    public TaskBuilder Retries(int retries, TimeSpan delay, TimeSpan? maxDelay = null, bool jitter = true) =>
        With(o => o with { Retry = new TaskRetry(retries, delay, maxDelay ?? TimeSpan.FromMinutes(1), jitter) });

    public TaskBuilder Timeout(TimeSpan timeout) => With(o => o with { Timeout = timeout });

    /// <summary>Caches the result under a key that covers the files <paramref name="inputs"/> match (globs).</summary>
    public TaskBuilder Cache(TimeSpan? expire = null, params string[] inputs) => With(o => o with { Cache = new TaskCache(inputs, expire) });

    public TaskBuilder Tags(params string[] tags) => With(o => o with { Tags = [.. o.Tags, .. tags] });

    /// <summary>One instance per file matching <paramref name="glob"/>.</summary>
    public TaskBuilder MapGlob(string glob, int parallel = 4) => With(o => o with { Map = new TaskMap(glob, null, null, parallel) });

    /// <summary>One instance per item.</summary>
    public TaskBuilder MapItems(IReadOnlyList<string> items, int parallel = 4) => With(o => o with { Map = new TaskMap(null, items, null, parallel) });

    /// <summary>One instance per item of <paramref name="upstream"/>'s result (it is added to the dependencies).</summary>
    public TaskBuilder MapResultOf(string upstream, int parallel = 4) =>
        With(o => o with { Map = new TaskMap(null, null, upstream, parallel), DependsOn = o.DependsOn.Contains(upstream) ? o.DependsOn : [.. o.DependsOn, upstream] });

    private TaskBuilder Action(TaskAction action)
    {
        _action = action;
        return this;
    }

    private TaskBuilder With(Func<FlowTask, FlowTask> change)
    {
        _options = change(_options!);
        return this;
    }

    internal FlowTask Build() => _options! with
    {
        Action = _action ?? throw new PipelineException(null, $"task '{_name}' has no action: call Run, Command or Pipeline"),
    };
}
