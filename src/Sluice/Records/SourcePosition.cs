using Sluice.Records;
namespace Sluice.Extensibility;

/// <summary>
/// How far a source has read after emitting a batch, so that a resumed run can start right after it: a file offset,
/// a stream entry id, a cursor value, a sequence number. Opaque to the engine: the source writes <see cref="Value"/>,
/// a checkpoint stores it as it is, and a resumed run hands it back to the same source (the stage of that name).
/// </summary>
/// <param name="Value">The source's own text for the position (JSON, say); only that source reads it.</param>
public sealed record SourcePosition(string Value);
