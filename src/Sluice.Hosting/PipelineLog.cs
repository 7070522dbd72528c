using Microsoft.Extensions.Logging;

namespace Sluice.Hosting;

/// <summary>Everything a hosted pipeline logs, as message templates with named holes so that structured log sinks
/// can filter on <c>Pipeline</c>, <c>RunId</c> and the counts. Event ids are stable: alerts may key on them.</summary>
internal static partial class PipelineLog
{
    /// <summary>The event ids, listed in docs/hosting.md.</summary>
    internal static class Events
    {
        public const int Scheduled = 1;
        public const int Started = 2;
        public const int Resumed = 3;
        public const int Finished = 4;
        public const int Failed = 5;
        public const int GateBroken = 6;
        public const int Cancelled = 7;
        public const int StartFailed = 8;
        public const int LeaseHeld = 9;
        public const int SlotSkipped = 10;
        public const int Stopping = 11;
        public const int Retrying = 12;
        public const int ServiceStopped = 13;
        public const int NoMoreSlots = 14;
        public const int Abandoned = 15;
        public const int AlertMissed = 16;
        public const int AlertSent = 17;
        public const int AlertSendFailed = 18;
        public const int PromisesUnwatched = 19;
        public const int PromisesFailed = 20;
    }

    [LoggerMessage(Events.Scheduled, LogLevel.Information, "Pipeline {Pipeline} scheduled {Schedule}")]
    public static partial void Scheduled(ILogger logger, string pipeline, string schedule);

    [LoggerMessage(Events.Started, LogLevel.Information, "Pipeline {Pipeline} run {RunId} started")]
    public static partial void Started(ILogger logger, string pipeline, string runId);

    [LoggerMessage(Events.Resumed, LogLevel.Information,
        "Pipeline {Pipeline} run {RunId} resumed from checkpoint {Checkpoint} ({RecordsCommitted} records already committed)")]
    public static partial void Resumed(ILogger logger, string pipeline, string runId, long checkpoint, long recordsCommitted);

    [LoggerMessage(Events.Finished, LogLevel.Information,
        "Pipeline {Pipeline} run {RunId} {Outcome} in {Duration}: {RecordsIn} in, {RecordsOut} out, {DeadLettered} dead-lettered, {Filtered} filtered, {PublishedFiles} files published")]
    public static partial void Finished(ILogger logger, string pipeline, string runId, string outcome, TimeSpan duration,
        long recordsIn, long recordsOut, long deadLettered, long filtered, int publishedFiles);

    [LoggerMessage(Events.Failed, LogLevel.Error, "Pipeline {Pipeline} run {RunId} failed after {Duration}: {Error}")]
    public static partial void Failed(ILogger logger, string pipeline, string runId, TimeSpan duration, string? error);

    [LoggerMessage(Events.GateBroken, LogLevel.Error,
        "Pipeline {Pipeline} run {RunId} broke its quality gate: {DeadLettered} of {RecordsIn} records dead-lettered: {Error}")]
    public static partial void GateBroken(ILogger logger, string pipeline, string runId, long deadLettered, long recordsIn, string? error);

    [LoggerMessage(Events.Cancelled, LogLevel.Warning,
        "Pipeline {Pipeline} run {RunId} was cancelled: the host's shutdown timeout came before its final checkpoint; the next start redoes what followed its last checkpoint")]
    public static partial void Cancelled(ILogger logger, string pipeline, string runId);

    [LoggerMessage(Events.StartFailed, LogLevel.Error, "Pipeline {Pipeline} could not start a run: {Error}")]
    public static partial void StartFailed(ILogger logger, string pipeline, string error, Exception exception);

    [LoggerMessage(Events.LeaseHeld, LogLevel.Warning, "Pipeline {Pipeline} is held by {Holder} until {ExpiresAt}: no run this time")]
    public static partial void LeaseHeld(ILogger logger, string pipeline, string holder, DateTimeOffset expiresAt);

    [LoggerMessage(Events.SlotSkipped, LogLevel.Warning, "Pipeline {Pipeline} skipped the slot at {Slot}: run {RunId} is still going")]
    public static partial void SlotSkipped(ILogger logger, string pipeline, DateTimeOffset slot, string? runId);

    [LoggerMessage(Events.Stopping, LogLevel.Information,
        "Pipeline {Pipeline} run {RunId} stopping for shutdown: reading no new input, draining into a final checkpoint")]
    public static partial void Stopping(ILogger logger, string pipeline, string runId);

    [LoggerMessage(Events.Retrying, LogLevel.Information, "Pipeline {Pipeline} retries in {Delay}")]
    public static partial void Retrying(ILogger logger, string pipeline, TimeSpan delay);

    [LoggerMessage(Events.ServiceStopped, LogLevel.Information, "Pipeline {Pipeline} stopped cleanly: no run left in progress")]
    public static partial void ServiceStopped(ILogger logger, string pipeline);

    [LoggerMessage(Events.NoMoreSlots, LogLevel.Warning, "Pipeline {Pipeline} has no more slots in its schedule {Schedule}")]
    public static partial void NoMoreSlots(ILogger logger, string pipeline, string schedule);

    [LoggerMessage(Events.Abandoned, LogLevel.Warning,
        "Pipeline {Pipeline} run {AbandonedRunId} had stopped without ending (its process died): marked failed, its unpublished output removed")]
    public static partial void Abandoned(ILogger logger, string pipeline, string abandonedRunId);

    [LoggerMessage(Events.AlertMissed, LogLevel.Warning, "Pipeline {Pipeline} missed its {Promise} promise: {Detail} (alert {AlertKey})")]
    public static partial void AlertMissed(ILogger logger, string pipeline, string promise, string detail, string alertKey);

    [LoggerMessage(Events.AlertSent, LogLevel.Information, "Pipeline {Pipeline} alert {AlertKey} sent to its webhook (attempt {Attempt})")]
    public static partial void AlertSent(ILogger logger, string pipeline, string alertKey, int attempt);

    [LoggerMessage(Events.AlertSendFailed, LogLevel.Warning,
        "Pipeline {Pipeline} alert {AlertKey}: webhook attempt {Attempt} failed: {Error}; next at {NextAttemptAt}")]
    public static partial void AlertSendFailed(ILogger logger, string pipeline, string alertKey, int attempt, string? error, DateTimeOffset? nextAttemptAt);

    [LoggerMessage(Events.PromisesUnwatched, LogLevel.Warning,
        "Pipeline {Pipeline} promises freshness or an SLA, but its state store ({Store}) keeps no alerts: they are not judged")]
    public static partial void PromisesUnwatched(ILogger logger, string pipeline, string store);

    [LoggerMessage(Events.PromisesFailed, LogLevel.Error, "Pipeline {Pipeline} could not judge its promises: {Error}; trying again in 30 s")]
    public static partial void PromisesFailed(ILogger logger, string pipeline, string error, Exception exception);
}
