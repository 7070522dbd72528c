using Sluice.Pipelines;

namespace Sluice;

/// <summary>Where a typed pipeline's records of <typeparamref name="T"/> come from: a source stage, whose columns
/// the pipeline then types and checks with the contract <typeparamref name="T"/> implies. Made by
/// <see cref="Csv.Files{T}"/>, <see cref="Jsonl.Files{T}"/>, <see cref="Parquet.Files{T}"/> and
/// <see cref="Testing.Memory.Records{T}"/>.</summary>
public sealed class RecordSource<T>(ISourceOptions options)
{
    public ISourceOptions Options { get; } = options;
}

/// <summary>Where a typed pipeline's records of <typeparamref name="T"/> go: a sink stage written with the columns
/// of <typeparamref name="T"/>. Made by <see cref="Parquet.Folder{T}"/>, <see cref="Jsonl.Folder{T}"/>,
/// <see cref="Csv.Folder{T}"/> and <see cref="Testing.Memory.Collect{T}"/>.</summary>
public class RecordSink<T>(ISinkOptions options)
{
    public ISinkOptions Options { get; } = options;
}
