namespace Sluice.State;

/// <summary>A file a file source has read to its end: its first <paramref name="Size"/> bytes, their hash, and the
/// source's position after its last record (<paramref name="EndOffset"/>, <paramref name="EndLine"/>), from which a
/// file that grew since is read on. A file whose first <paramref name="Size"/> bytes changed is a changed file.</summary>
/// <param name="EndLine">0 when no record was read from the file (an empty or header-only file): when it grows it
/// is read from its start. Both end values are null when the end is not known (recorded before state schema version 6,
/// or a changed file skipped by <c>on_changed_file: skip</c>): when it grows it is a changed file.</param>
public sealed record ConsumedFile(string Path, long Size, string ContentHash, long? EndOffset = null, long? EndLine = null);
