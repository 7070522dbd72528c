using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Sluice.Cli.Tests.TestSupport;
using Sluice.Tests.TestSupport;

namespace Sluice.Cli.Tests.Commands;

/// <summary>The issue's test: real <c>sluice serve</c> processes and a real webhook; a freshness miss and an SLA miss
/// each POST once, also across a restart, and a webhook that fails at first gets the miss once, later.</summary>
public sealed class AlertsCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string State => _dir.File("state.db");

    private static readonly Dictionary<string, string> Token = new() { ["HOOK_TOKEN"] = "t0ken-42" };

    /// <summary>A flow that never succeeds, its schedule a year away: only its promises act.</summary>
    private string Flow(WebhookReceiver receiver, string promises) => _dir.Write("flow.yaml", $$"""
        name: nightly
        schedule: "0 0 1 1 *"
        {{promises}}
        alerts: { webhook: "{{receiver.Url}}", headers: { Authorization: "Bearer ${env:HOOK_TOKEN}" } }
        tasks:
          a: { command: ["false"] }
        """);

    /// <summary>A running <c>sluice serve</c>; disposing it sends SIGTERM and waits for it to end.</summary>
    private sealed class Serving : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _stdout = new();
        private readonly Task _reading;

        public Serving(string flow, string state)
        {
            _process = SluiceProcess.Start(Token, "serve", flow, "--state", state);
            _reading = Task.Run(async () =>
            {
                while (await _process.StandardOutput.ReadLineAsync() is { } line)
                    lock (_stdout)
                        _stdout.AppendLine(line);
            });
            Stderr = _process.StandardError.ReadToEndAsync();
        }

        public Task<string> Stderr { get; }

        public string Stdout
        {
            get
            {
                lock (_stdout)
                    return _stdout.ToString();
            }
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
                    await kill.WaitForExitAsync();
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await _process.WaitForExitAsync(timeout.Token);
            }
            finally
            {
                _process.Kill(); // never leave a server behind
                await _reading;
                _process.Dispose();
            }
        }
    }

    private static void WaitUntil(Func<bool> condition, string what, Func<string> said) =>
        Assert.True(SpinWait.SpinUntil(condition, TimeSpan.FromSeconds(20)), $"waited 20 s for {what}: " + said());

    [Fact]
    public async Task A_freshness_miss_and_an_SLA_miss_each_POST_once_also_after_serve_restarts()
    {
        using var receiver = new WebhookReceiver();
        var deadline = DateTimeOffset.UtcNow.AddSeconds(6);
        string flow = Flow(receiver, $"freshness: 2s\nsla: {{ finish_by: \"{deadline:HH:mm:ss}\" }}");
        Assert.Equal(ExitCodes.RunFailed, (await SluiceProcess.RunAsync("flow", "run", flow, "--state", State)).ExitCode); // watched from now on

        string first, second;
        await using (var serving = new Serving(flow, State))
        {
            WaitUntil(() => receiver.Accepted.Count >= 2, "both misses", () => serving.Stdout);
            first = serving.Stdout;
        }
        await using (var serving = new Serving(flow, State))
        {
            WaitUntil(() => serving.Stdout.Contains("serving", StringComparison.Ordinal), "the restart", () => serving.Stdout);
            await Task.Delay(TimeSpan.FromSeconds(3)); // it judged at once; give it time to (wrongly) send
            second = serving.Stdout;
        }

        Assert.Equal(["freshness:flow:nightly:none", $"sla:flow:nightly:{deadline.UtcDateTime:yyyy-MM-dd}"],
            receiver.Requests.Select(r => r.IdempotencyKey).Order(StringComparer.Ordinal));
        Assert.All(receiver.Requests, r => Assert.Equal((200, "Bearer t0ken-42"), (r.AnsweredStatus, r.Authorization)));
        Assert.Contains("alert: flow 'nightly' is stale: it has no data at all", first);
        Assert.Contains("alert: flow 'nightly' missed its SLA: no run succeeded by", first);
        Assert.DoesNotContain("alert", second);
        Assert.DoesNotContain("t0ken-42", first + second + await File.ReadAllTextAsync(State));

        var listed = await SluiceProcess.RunAsync("alerts", "list", "--state", State, "--json");
        var alerts = JsonSchemas.AssertValid("alerts", listed.Stdout).GetProperty("alerts").EnumerateArray().ToList();
        Assert.Equal(2, alerts.Count);
        Assert.All(alerts, a => Assert.Equal((JsonValueKind.String, 1), (a.GetProperty("sent_at").ValueKind, a.GetProperty("attempts").GetInt32())));
    }

    [Fact]
    public async Task A_webhook_that_fails_at_first_gets_the_miss_once_when_serve_restarts_between_attempts()
    {
        using var receiver = new WebhookReceiver(failFirst: 2);
        string flow = Flow(receiver, "freshness: 1s");

        await using (var serving = new Serving(flow, State))
            WaitUntil(() => receiver.Requests.Count >= 1, "a first attempt", () => serving.Stdout);
        Assert.Empty(receiver.Accepted);
        await using (var serving = new Serving(flow, State))
        {
            WaitUntil(() => receiver.Accepted.Count >= 1, "the alert", () => serving.Stdout);
            await Task.Delay(TimeSpan.FromSeconds(1.5));
        }

        Assert.Equal([500, 500, 200], receiver.Requests.Select(r => r.AnsweredStatus));
        Assert.Equal(["freshness:flow:nightly:none"], receiver.Requests.Select(r => r.IdempotencyKey).Distinct());
    }

    [Fact]
    public async Task Alerts_check_exits_6_when_late_and_0_when_on_time()
    {
        using var receiver = new WebhookReceiver();
        string flow = Flow(receiver, "freshness: 1h");
        await SluiceProcess.RunAsync("flow", "run", flow, "--state", State);

        var onTime = await SluiceProcess.RunAsync(Token, "alerts", "check", flow, "--state", State);
        _dir.Write("flow.yaml", File.ReadAllText(flow).Replace("freshness: 1h", "freshness: 1s", StringComparison.Ordinal));
        await Task.Delay(TimeSpan.FromSeconds(1.2));
        var late = await SluiceProcess.RunAsync(Token, "alerts", "check", flow, "--state", State);
        var again = await SluiceProcess.RunAsync(Token, "alerts", "check", flow, "--state", State);

        Assert.Equal((ExitCodes.Ok, ExitCodes.Late, ExitCodes.Late), (onTime.ExitCode, late.ExitCode, again.ExitCode));
        Assert.Contains("on time: flow 'nightly'", onTime.Stdout);
        Assert.Contains("late: flow 'nightly' is stale", late.Stdout);
        Assert.Single(receiver.Requests); // the second check found the miss recorded and sent
    }
}
