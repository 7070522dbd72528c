namespace Sluice.Records;

/// <summary>Where one record came from: the file, its line (or row number for columnar files), the byte offset
/// of its first byte (-1 where bytes have no meaning, e.g. Parquet), and its original bytes.</summary>
public readonly record struct RowOrigin(string File, long Line, long ByteOffset, ReadOnlyMemory<byte> Original);
