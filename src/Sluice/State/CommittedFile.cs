namespace Sluice.State;

/// <summary>A file that a sink stage made visible (renamed into place) when a checkpoint committed.</summary>
public sealed record CommittedFile(string Stage, string Path);
