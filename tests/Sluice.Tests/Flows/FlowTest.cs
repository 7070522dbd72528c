using System.Text.Json.Nodes;
using Sluice.Flows;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Flows;

/// <summary>Base of flow tests: a state file, a runner on it, and helpers to read what the flow run recorded.</summary>
public abstract class FlowTest : StateStoreTest
{
    protected FlowRunner Runner(FlowRunnerOptions? options = null) => new(Store, options ?? new FlowRunnerOptions { PollInterval = TimeSpan.FromMilliseconds(100) });

    protected async Task<FlowRunResult> RunAsync(FlowDefinition flow, FlowRunRequest? request = null, FlowRunnerOptions? options = null,
        CancellationToken cancellationToken = default) =>
        (await Runner(options).RunAsync(flow, request, cancellationToken))!;

    protected FlowBuilder Flow(string name = "f") => new FlowBuilder(name).BaseDirectory(Dir.Path);

    protected static TaskRunRecord Task(FlowRunResult result, string name) => result.Tasks.Single(t => t.Task == name && t.IsTask);

    protected async Task<List<TaskEvent>> EventsAsync(FlowRunResult result) =>
        await new SqliteFlowStore(Store).ListEventsAsync(result.Run.Run.Id, CancellationToken.None);

    /// <summary>A C# task that counts its calls in <paramref name="calls"/> and returns its call number.</summary>
    protected static Func<TaskContext, CancellationToken, Task<JsonNode?>> Counting(Dictionary<string, int> calls, string name,
        Func<int, bool>? failOn = null) => (_, _) =>
    {
        int call;
        lock (calls)
        {
            call = calls[name] = calls.GetValueOrDefault(name) + 1;
        }
        if (failOn?.Invoke(call) == true)
        {
            throw new TaskFailedException($"{name} fails on call {call}");
        }
        return System.Threading.Tasks.Task.FromResult<JsonNode?>(JsonValue.Create(call));
    };
}
