namespace Sluice.Records;

/// <summary>
/// How far a source has read after emitting a batch: the file and the byte offset just past the batch's last
/// record (or the next row number for columnar files). Opaque to everything but its source; kept so that
/// checkpoints can resume a source where it left off.
/// </summary>
public sealed record SourcePosition(string File, long Offset);
