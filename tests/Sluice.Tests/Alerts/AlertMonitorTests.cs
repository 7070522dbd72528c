using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Sluice.Alerts;
using Sluice.State;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Alerts;

/// <summary><see cref="AlertMonitor"/> on a fake clock and a real state file: misses found from runs, recorded once,
/// sent with retries to a real HTTP receiver, once, by one of two monitors, and not again after a restart.</summary>
public sealed class AlertMonitorTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-01-10T05:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly List<AlertEvent> _events = [];

    public void Dispose() => _dir.Dispose();

    private string StatePath => _dir.File("state.db");

    private Task<SqliteStateStore> OpenAsync() => SqliteStateStore.OpenAsync(StatePath, _clock, CancellationToken.None);

    private AlertMonitor Monitor(SqliteStateStore store, AlertPolicy policy) =>
        new(store, [new AlertTarget(AlertSubjectKind.Flow, "nightly", policy)], new AlertMonitorOptions
        {
            Time = _clock,
            OnEvent = e =>
            {
                lock (_events)
                    _events.Add(e);
            },
        });

    private static async Task SucceedAsync(SqliteStateStore store)
    {
        var run = await store.StartRunAsync("nightly", RunKinds.Flow);
        await store.FinishRunAsync(run.Id, RunState.Succeeded, new RunTotals(0, 0, 0, 0), null);
    }

    [Fact]
    public async Task Freshness_is_judged_from_the_newest_succeeded_run_and_a_miss_recorded_once()
    {
        await using var store = await OpenAsync();
        await SucceedAsync(store);
        var ended = _clock.GetUtcNow();
        var monitor = Monitor(store, new AlertPolicy(TimeSpan.FromHours(2), null, null));

        _clock.Advance(TimeSpan.FromHours(2));
        var onTime = await monitor.CheckAsync(CancellationToken.None);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        var late = await monitor.CheckAsync(CancellationToken.None);
        var again = await monitor.CheckAsync(CancellationToken.None);

        Assert.Empty(onTime);
        var miss = Assert.Single(late);
        Assert.Equal((AlertKind.Freshness, ended + TimeSpan.FromHours(2), ended, (DateTimeOffset?)null), (miss.Kind, miss.DueAt, miss.ObservedAt, miss.NextAttemptAt));
        Assert.Equal(miss.Id, Assert.Single(again).Id);
        Assert.Equal([AlertEventKind.Missed], _events.Select(e => e.Kind));
        Assert.Equal(miss, Assert.Single(await store.ListAlertsAsync(new AlertQuery { Subject = "nightly" })));
    }

    [Fact]
    public async Task An_SLA_is_missed_at_the_deadline_of_a_day_without_a_success_and_kept_on_a_day_with_one()
    {
        await using var store = await OpenAsync();
        var run = await store.StartRunAsync("nightly", RunKinds.Flow); // watched since 05:00 on the 10th; never succeeds
        await store.FinishRunAsync(run.Id, RunState.Failed, new RunTotals(0, 0, 0, 0), "boom");
        var monitor = Monitor(store, new AlertPolicy(null, new SlaDeadline(new TimeOnly(6, 0), TimeZoneInfo.Utc), null));

        _clock.Advance(TimeSpan.FromMinutes(59)); // 05:59
        var before = await monitor.CheckAsync(CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(1)); // 06:00 on the 10th
        var missed = await monitor.CheckAsync(CancellationToken.None);
        _clock.Advance(TimeSpan.FromHours(20)); // 02:00 on the 11th
        await SucceedAsync(store);
        _clock.Advance(TimeSpan.FromHours(4)); // 06:00 on the 11th
        var kept = await monitor.CheckAsync(CancellationToken.None);

        Assert.Empty(before);
        Assert.Equal("sla:flow:nightly:2026-01-10", Assert.Single(missed).Key);
        Assert.Empty(kept);
        Assert.Single(await store.ListAlertsAsync(new AlertQuery()));
    }

    [Fact]
    public async Task A_failing_webhook_is_retried_with_backoff_until_it_accepts_then_never_again()
    {
        using var receiver = new WebhookReceiver(failFirst: 2);
        Environment.SetEnvironmentVariable("SLUICE_TEST_HOOK_TOKEN", "s3cret");
        var policy = new AlertPolicy(TimeSpan.FromMinutes(30), null,
            new AlertWebhook(new Uri(receiver.Url), new Dictionary<string, string> { ["Authorization"] = "Bearer ${env:SLUICE_TEST_HOOK_TOKEN}" }));
        await using var store = await OpenAsync();
        var monitor = Monitor(store, policy);

        _clock.Advance(TimeSpan.FromMinutes(31));
        await monitor.CheckAsync(CancellationToken.None); // attempt 1: 500, next in 1 s
        await monitor.CheckAsync(CancellationToken.None); // not due: no request
        _clock.Advance(TimeSpan.FromSeconds(1));
        await monitor.CheckAsync(CancellationToken.None); // attempt 2: 500, next in 2 s
        _clock.Advance(TimeSpan.FromSeconds(1));
        await monitor.CheckAsync(CancellationToken.None); // not due
        _clock.Advance(TimeSpan.FromSeconds(1));
        await monitor.CheckAsync(CancellationToken.None); // attempt 3: 200
        _clock.Advance(TimeSpan.FromHours(1));
        await monitor.CheckAsync(CancellationToken.None);
        await Monitor(store, policy).CheckAsync(CancellationToken.None); // a restarted monitor

        Assert.Equal([500, 500, 200], receiver.Requests.Select(r => r.AnsweredStatus));
        Assert.Equal(["freshness:flow:nightly:none"], receiver.Requests.Select(r => r.IdempotencyKey).Distinct());
        Assert.All(receiver.Requests, r => Assert.Equal("Bearer s3cret", r.Authorization));
        var alert = Assert.Single(await store.ListAlertsAsync(new AlertQuery()));
        Assert.Equal((3, (string?)null, (DateTimeOffset?)null), (alert.Attempts, alert.LastError, alert.NextAttemptAt));
        Assert.NotNull(alert.SentAt);
        Assert.Equal([AlertEventKind.Missed, AlertEventKind.SendFailed, AlertEventKind.SendFailed, AlertEventKind.Sent], _events.Select(e => e.Kind));
        Assert.Equal("the webhook answered HTTP 500 Internal Server Error", _events[1].Error);
        using var body = JsonDocument.Parse(receiver.Requests[^1].Body);
        Assert.Equal(["key", "kind", "subject_kind", "subject", "expected", "due_at", "observed_at", "detected_at", "text"],
            body.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("freshness", "flow", "nightly", "30m"), (body.RootElement.GetProperty("kind").GetString(), body.RootElement.GetProperty("subject_kind").GetString(),
            body.RootElement.GetProperty("subject").GetString(), body.RootElement.GetProperty("expected").GetString()));
        Assert.DoesNotContain("s3cret", await File.ReadAllTextAsync(StatePath));
    }

    [Fact]
    public async Task A_secret_header_holding_a_line_break_is_a_failed_attempt_that_names_no_value()
    {
        using var receiver = new WebhookReceiver();
        Environment.SetEnvironmentVariable("SLUICE_TEST_HOOK_BROKEN", "s3cret\nX-Injected: 1");
        var policy = new AlertPolicy(TimeSpan.FromMinutes(30), null,
            new AlertWebhook(new Uri(receiver.Url), new Dictionary<string, string> { ["Authorization"] = "Bearer ${env:SLUICE_TEST_HOOK_BROKEN}" }));
        await using var store = await OpenAsync();
        var monitor = Monitor(store, policy);

        _clock.Advance(TimeSpan.FromMinutes(31));
        await monitor.CheckAsync(CancellationToken.None);

        Assert.Empty(receiver.Requests);
        Assert.Equal([AlertEventKind.Missed, AlertEventKind.SendFailed], _events.Select(e => e.Kind));
        Assert.Equal("header 'Authorization': a value cannot hold a line break or NUL (after its environment variables were put in)", _events[1].Error);
    }

    [Fact]
    public async Task Two_monitors_on_one_state_file_send_a_miss_once()
    {
        using var receiver = new WebhookReceiver();
        var policy = new AlertPolicy(TimeSpan.FromMinutes(30), null, new AlertWebhook(new Uri(receiver.Url), new Dictionary<string, string>()));
        await using var first = await OpenAsync();
        await using var second = await OpenAsync();
        var monitors = new[] { Monitor(first, policy), Monitor(second, policy) };

        _clock.Advance(TimeSpan.FromMinutes(31));
        await Task.WhenAll(Enumerable.Range(0, 4).Select(i => monitors[i % 2].CheckAsync(CancellationToken.None)));

        Assert.Single(receiver.Requests);
        Assert.Single(_events, e => e.Kind == AlertEventKind.Missed);
    }
}
