using Microsoft.Extensions.Logging;

namespace Sluice.Hosting;

/// <summary>Everything a hosted pipeline logs, as message templates with named holes so that structured log sinks
/// can filter on <c>Pipeline</c>, <c>RunId</c> and the counts. Event ids are stable: alerts may key on them.</summary>
internal static partial class PipelineLog
{
    [LoggerMessage(1, LogLevel.Information, "Pipeline {Pipeline} scheduled {Schedule}")]
    public static partial void Scheduled(ILogger logger, string pipeline, string schedule);

    [LoggerMessage(2, LogLevel.Information, "Pipeline {Pipeline} run {RunId} started")]
    public static partial void Started(ILogger logger, string pipeline, string runId);

    [LoggerMessage(3, LogLevel.Information,
        "Pipeline {Pipeline} run {RunId} resumed from checkpoint {Checkpoint} ({RecordsCommitted} records already committed)")]
    public static partial void Resumed(ILogger logger, string pipeline, string runId, long checkpoint, long recordsCommitted);

    [LoggerMessage(4, LogLevel.Information,
        "Pipeline {Pipeline} run {RunId} {Outcome} in {Duration}: {RecordsIn} in, {RecordsOut} out, {DeadLettered} dead-lettered, {Filtered} filtered, {PublishedFiles} files published")]
    public static partial void Finished(ILogger logger, string pipeline, string runId, string outcome, TimeSpan duration,
        long recordsIn, long recordsOut, long deadLettered, long filtered, int publishedFiles);

    [LoggerMessage(5, LogLevel.Error, "Pipeline {Pipeline} run {RunId} failed after {Duration}: {Error}")]
    public static partial void Failed(ILogger logger, string pipeline, string runId, TimeSpan duration, string? error);

    [LoggerMessage(6, LogLevel.Error,
        "Pipeline {Pipeline} run {RunId} broke its quality gate: {DeadLettered} of {RecordsIn} records dead-lettered: {Error}")]
    public static partial void GateBroken(ILogger logger, string pipeline, string runId, long deadLettered, long recordsIn, string? error);

    [LoggerMessage(7, LogLevel.Warning,
        "Pipeline {Pipeline} run {RunId} was cancelled: the host's shutdown timeout came before its final checkpoint; the next start redoes what followed its last checkpoint")]
    public static partial void Cancelled(ILogger logger, string pipeline, string runId);

    [LoggerMessage(8, LogLevel.Error, "Pipeline {Pipeline} could not start a run: {Error}")]
    public static partial void StartFailed(ILogger logger, string pipeline, string error, Exception exception);

    [LoggerMessage(9, LogLevel.Warning, "Pipeline {Pipeline} is held by {Holder} until {ExpiresAt}: no run this time")]
    public static partial void LeaseHeld(ILogger logger, string pipeline, string holder, DateTimeOffset expiresAt);

    [LoggerMessage(10, LogLevel.Warning, "Pipeline {Pipeline} skipped the slot at {Slot}: run {RunId} is still going")]
    public static partial void SlotSkipped(ILogger logger, string pipeline, DateTimeOffset slot, string? runId);

    [LoggerMessage(11, LogLevel.Information,
        "Pipeline {Pipeline} run {RunId} stopping for shutdown: reading no new input, draining into a final checkpoint")]
    public static partial void Stopping(ILogger logger, string pipeline, string runId);

    [LoggerMessage(12, LogLevel.Information, "Pipeline {Pipeline} retries in {Delay}")]
    public static partial void Retrying(ILogger logger, string pipeline, TimeSpan delay);

    [LoggerMessage(13, LogLevel.Information, "Pipeline {Pipeline} stopped cleanly: no run left in progress")]
    public static partial void ServiceStopped(ILogger logger, string pipeline);

    [LoggerMessage(14, LogLevel.Warning, "Pipeline {Pipeline} has no more slots in its schedule {Schedule}")]
    public static partial void NoMoreSlots(ILogger logger, string pipeline, string schedule);
}
