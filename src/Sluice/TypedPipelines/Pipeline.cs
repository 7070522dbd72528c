using Sluice.Pipelines;

namespace Sluice;

/// <summary>
/// A pipeline defined in C#: <c>Pipeline.Create("flights").From(Csv.Files&lt;Flight&gt;("data/*.csv")).Where(...)
/// .Select(...).To(Parquet.Folder&lt;Clean&gt;("out"))</c>. It is an ordinary <see cref="PipelineDefinition"/>
/// (<see cref="Definition"/>), run by the same runner with the same guarantees as a pipeline file.
/// </summary>
public sealed class Pipeline
{
    internal Pipeline(PipelineDefinition definition) => Definition = definition;

    public PipelineDefinition Definition { get; }

    /// <summary>Starts a pipeline named <paramref name="name"/> (runs, checkpoints and dead letters are kept under
    /// it). Relative paths resolve against <paramref name="baseDirectory"/>, by default the current directory.</summary>
    public static PipelineStart Create(string name, string? baseDirectory = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new(name, Path.GetFullPath(baseDirectory ?? Directory.GetCurrentDirectory()));
    }

    /// <summary>This pipeline with other pipeline-wide settings, e.g.
    /// <c>.With(p => p with { DeadLetter = new(MaxRatio: 0.01) })</c>.</summary>
    public Pipeline With(Func<PipelineDefinition, PipelineDefinition> configure) => new(configure(Definition));

    public static implicit operator PipelineDefinition(Pipeline pipeline) => pipeline.Definition;
}

/// <summary>A pipeline that has a name and no source yet.</summary>
public sealed class PipelineStart
{
    private readonly string _name;
    private readonly string _baseDirectory;

    internal PipelineStart(string name, string baseDirectory)
    {
        _name = name;
        _baseDirectory = baseDirectory;
    }

    /// <summary>Reads records of <typeparamref name="T"/> from <paramref name="source"/>: a source stage and the
    /// contract stage that types its columns as <typeparamref name="T"/>'s properties.</summary>
    public Pipeline<T> From<T>(RecordSource<T> source) =>
        Pipeline<T>.Start(new PipelineDefinition(_name, []) { BaseDirectory = _baseDirectory }, source);
}
