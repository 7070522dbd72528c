using Sluice.Records;
namespace Sluice.Extensibility;

/// <summary>Where one record came from: the file, its line (or row number for columnar files), the byte offset
/// of its first byte (-1 where bytes have no meaning, e.g. Parquet), and its original bytes.</summary>
/// <param name="Failures">How many times the record was dead-lettered before: 0 for a record read from its input,
/// a replayed dead letter's attempts for a record that <c>sluice dlq replay</c> runs again.</param>
public readonly record struct RowOrigin(string File, long Line, long ByteOffset, ReadOnlyMemory<byte> Original, int Failures = 0);
