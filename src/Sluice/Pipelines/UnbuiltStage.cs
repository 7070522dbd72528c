namespace Sluice.Pipelines;

/// <summary>
/// Stands for a stage whose options have problems (already reported), so that the rest of the pipeline is still
/// checked in the same pass: the stage keeps its place in the graph, is never built or run, and the stages after it
/// are type-checked only when its output columns are known anyway — from <see cref="StandIn"/>, options that give
/// the same columns (a contract without its broken rules); otherwise they are skipped.
/// </summary>
internal sealed record UnbuiltStage(StageKind Kind, ITransformOptions? StandIn) : IStageOptions;
