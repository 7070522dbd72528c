using Sluice.State;
namespace Sluice;

/// <summary>A checkpoint as <c>sluice show</c> lists it, without its payload.</summary>
public sealed record CheckpointSummary(long Id, DateTimeOffset CreatedAt, TimeSpan Duration, long RecordsCommitted);
