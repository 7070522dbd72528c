namespace Sluice.State;

/// <summary>A file a file source has read to its end. The same path with another size or hash is a new file,
/// so a file rewritten in place is read again.</summary>
public sealed record ConsumedFile(string Path, long Size, string ContentHash);
