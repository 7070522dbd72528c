namespace Sluice.Alerts;

/// <summary>A pipeline or flow an <see cref="AlertMonitor"/> judges, by the name its runs are filed under.</summary>
public sealed record AlertTarget(AlertSubjectKind Kind, string Name, AlertPolicy Policy);

/// <summary>Something an <see cref="AlertMonitor"/> did, for its log.</summary>
/// <param name="Error">Why the request failed (<see cref="AlertEventKind.SendFailed"/>).</param>
/// <param name="NextAttemptAt">When it is tried again (<see cref="AlertEventKind.SendFailed"/>).</param>
public sealed record AlertEvent(AlertEventKind Kind, AlertRecord Alert, string? Error = null, DateTimeOffset? NextAttemptAt = null);

public enum AlertEventKind
{
    /// <summary>A miss was found and recorded (once, by whichever monitor found it first).</summary>
    Missed,

    /// <summary>Its webhook accepted it.</summary>
    Sent,

    /// <summary>A request to its webhook failed; it will be tried again.</summary>
    SendFailed,
}

/// <summary>How an <see cref="AlertMonitor"/> judges and sends.</summary>
public sealed record AlertMonitorOptions
{
    /// <summary>The clock misses are judged by. The default value is the system's.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Longest time between two evaluations; the monitor also wakes when a promise is due to break. The
    /// default value is 30 seconds.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Wait before the second request for a miss; it doubles before each next one. The default value is 1 second.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between two requests for a miss; requests go on until one is accepted. The default value
    /// is 5 minutes.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Longest one request may take. The default value is 10 seconds.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Called (one call at a time) for each miss recorded and each request made.</summary>
    public Action<AlertEvent>? OnEvent { get; init; }
}
