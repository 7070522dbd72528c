using Apache.Arrow;
using Sluice.Execution;
using Sluice.Pipelines;

namespace Sluice.Extensibility;

/// <summary>The options of one stage; each kind of stage has a record implementing one of the interfaces below.</summary>
public interface IStageOptions
{
    StageKind Kind { get; }
}

public interface ISourceOptions : IStageOptions
{
    StageKind IStageOptions.Kind => StageKind.Source;

    /// <summary>Creates the source. Throws <see cref="PipelineException"/> for options that cannot work
    /// (e.g. no file matches the path).</summary>
    ISource CreateSource(BuildContext context);
}

public interface ITransformOptions : IStageOptions
{
    StageKind IStageOptions.Kind => StageKind.Transform;

    /// <summary>Creates the transform for batches of <paramref name="input"/>; type-checks expressions against it
    /// and throws <see cref="PipelineException"/> with positioned diagnostics when they do not fit.</summary>
    ITransform CreateTransform(Schema input, BuildContext context);

    /// <summary>The output columns over <paramref name="input"/> when <see cref="CreateTransform"/> fails (an
    /// expression does not type-check), so that the stages after it are still checked in the same pass; null when
    /// they depend on what failed.</summary>
    Schema? OutputWhenBroken(Schema input) => null;
}

public interface ISinkOptions : IStageOptions
{
    StageKind IStageOptions.Kind => StageKind.Sink;

    ISink CreateSink(Schema input, BuildContext context);
}
