using Sluice.Records;
namespace Sluice.Extensibility;

/// <summary>Where one record came from, in its source's own words, and its original bytes.</summary>
/// <param name="Input">What the source read it from: a file's path, a stream's key, a table, a URL.</param>
/// <param name="Position">Its place in that input as the source names it: a line number (a row number for columnar
/// files), a stream entry id, a sequence number, a key. With <paramref name="Input"/>, it identifies the record across
/// runs, so it must not depend on the run that read it.</param>
/// <param name="Original">The record as it was read, for showing and replaying it.</param>
/// <param name="Failures">How many times the record was dead-lettered before: 0 for a record read from its input,
/// a replayed dead letter's attempts for a record that <c>sluice dlq replay</c> runs again.</param>
public readonly record struct RowOrigin(string Input, string Position, ReadOnlyMemory<byte> Original, int Failures = 0);
