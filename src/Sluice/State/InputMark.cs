namespace Sluice.State;

/// <summary>What a source recorded about one of its inputs at a checkpoint, for the pipeline's later runs: a file
/// source marks each file it read to its end (its size, hash and end), so later runs skip it or read on where it
/// ended. The store keeps the newest mark of each input of a pipeline and knows nothing of the value.</summary>
/// <param name="Input">The input, named as the source's dead letters name it (<see cref="RowOrigin.Input"/>).</param>
/// <param name="Value">The source's own text for it.</param>
public sealed record InputMark(string Input, string Value);
