namespace Sluice.Alerts;

/// <summary>
/// Judges the freshness and SLA of pipelines and flows from the state file, records each miss once, logs it (through
/// <see cref="AlertMonitorOptions.OnEvent"/>) and POSTs it to its webhook until the webhook accepts it. Monitors on one
/// state file, at once or one after another, never record a miss twice, and never send an accepted one again.
/// </summary>
public sealed class AlertMonitor
{
    private readonly AlertStore _store;
    private readonly IReadOnlyList<AlertTarget> _targets;
    private readonly AlertMonitorOptions _options;
    private readonly DateTimeOffset _started;
    private readonly Lock _eventLock = new();

    public AlertMonitor(SqliteStateStore store, IReadOnlyList<AlertTarget> targets, AlertMonitorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(targets);
        _store = new AlertStore(store);
        _targets = targets;
        _options = options ?? new AlertMonitorOptions();
        _started = _options.Time.GetUtcNow();
    }

    private TimeProvider Time => _options.Time;

    /// <summary>Judges and sends until the token is cancelled, waking every <see cref="AlertMonitorOptions.Interval"/>
    /// and when a promise is due to break or a request is due.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var (_, wake) = await PassAsync(cancellationToken);
                var wait = wake - Time.GetUtcNow();
                await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(1), Time, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Judges once and makes the requests that are due, once each: the misses standing now (recorded now or
    /// before), in the targets' order. For <c>sluice alerts check</c>.</summary>
    public async Task<IReadOnlyList<AlertRecord>> CheckAsync(CancellationToken cancellationToken) => (await PassAsync(cancellationToken)).Late;

    private async Task<(List<AlertRecord> Late, DateTimeOffset Wake)> PassAsync(CancellationToken cancellationToken)
    {
        var now = Time.GetUtcNow();
        var wake = now + _options.Interval;
        var late = new List<AlertRecord>();
        foreach (var target in _targets)
        {
            var (kind, name, policy) = (target.Kind, target.Name, target.Policy);
            var watchedSince = await _store.FirstRunAsync(kind, name, cancellationToken) ?? _started;
            if (policy.Freshness is { } limit)
            {
                var newest = await _store.NewestDataAsync(kind, name, cancellationToken);
                if (AlertRules.Freshness(kind, name, limit, newest, watchedSince, now) is { } miss)
                    late.Add(await RecordAsync(miss, policy, now, cancellationToken));
                else
                    wake = Min(wake, AlertRules.FreshnessDue(limit, newest, watchedSince) + TimeSpan.FromMilliseconds(1));
            }
            if (policy.Sla is { } sla)
            {
                var deadline = sla.LatestAtOrBefore(now);
                var success = await _store.LastSuccessAsync(kind, name, deadline, cancellationToken);
                if (AlertRules.Sla(kind, name, sla, deadline, success, watchedSince, now) is { } miss)
                    late.Add(await RecordAsync(miss, policy, now, cancellationToken));
                wake = Min(wake, sla.NextAfter(now));
            }
        }
        return (late, Min(wake, await SendDueAsync(cancellationToken)));
    }

    private async Task<AlertRecord> RecordAsync(AlertMiss miss, AlertPolicy policy, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (alert, isNew) = await _store.RecordAsync(miss, policy.Webhook is not null, now, cancellationToken);
        if (isNew)
            Notify(new AlertEvent(AlertEventKind.Missed, alert));
        return alert;
    }

    /// <summary>Makes each due request for this monitor's targets (others' misses are for the monitors that know their
    /// webhooks); returns when the next one is due.</summary>
    private async Task<DateTimeOffset> SendDueAsync(CancellationToken cancellationToken)
    {
        var next = DateTimeOffset.MaxValue;
        foreach (var (alert, claimedUntil) in await _store.UnsentAsync(cancellationToken))
        {
            if (_targets.FirstOrDefault(t => t.Kind == alert.SubjectKind && t.Name == alert.Subject)?.Policy.Webhook is not { } webhook)
                continue;
            var now = Time.GetUtcNow();
            var due = Max(alert.NextAttemptAt!.Value, claimedUntil ?? DateTimeOffset.MinValue);
            // The claim outlives the longest request, so it lapses only when its holder died.
            if (due > now || !await _store.ClaimAsync(alert.Id, now, now + _options.RequestTimeout * 2, cancellationToken))
            {
                next = Min(next, due > now ? due : now + _options.RequestTimeout * 2);
                continue;
            }
            string? error;
            try
            {
                error = await AlertWebhookSender.SendAsync(webhook, alert, _options.RequestTimeout, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Stopped mid-request: the next monitor makes it again at once (the receiver may see it twice, with
                // the same Idempotency-Key).
                await _store.MarkFailedAsync(alert.Id, null, now, CancellationToken.None);
                throw;
            }
            // What the request did is recorded even when stopping meanwhile: a claim left standing would hold the
            // miss from the next server until it lapsed.
            var after = Time.GetUtcNow();
            int attempts = alert.Attempts + 1;
            var sent = alert with { Attempts = attempts };
            if (error is null)
            {
                await _store.MarkSentAsync(alert.Id, after, CancellationToken.None);
                Notify(new AlertEvent(AlertEventKind.Sent, sent with { SentAt = after, NextAttemptAt = null, LastError = null }));
                continue;
            }
            var retryAt = after + Backoff(attempts);
            await _store.MarkFailedAsync(alert.Id, error, retryAt, CancellationToken.None);
            Notify(new AlertEvent(AlertEventKind.SendFailed, sent with { LastError = error, NextAttemptAt = retryAt }, error, retryAt));
            next = Min(next, retryAt);
        }
        return next;
    }

    /// <summary>The wait after the <paramref name="attempts"/>th failed request: doubling from the retry delay, capped.</summary>
    private TimeSpan Backoff(int attempts)
    {
        double factor = Math.Pow(2, Math.Min(attempts - 1, 30));
        return TimeSpan.FromTicks((long)Math.Min(_options.RetryDelay.Ticks * factor, _options.MaxRetryDelay.Ticks));
    }

    private void Notify(AlertEvent e)
    {
        lock (_eventLock)
        {
            _options.OnEvent?.Invoke(e);
        }
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
