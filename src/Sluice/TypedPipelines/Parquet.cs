using Sluice.Connectors.Parquet;

namespace Sluice;

/// <summary>Parquet files as the source or sink of a typed pipeline.</summary>
public static class Parquet
{
    /// <inheritdoc cref="Csv.Files{T}"/>
    public static RecordSource<T> Files<T>(string path, Func<ParquetSourceOptions, ParquetSourceOptions>? configure = null) =>
        new(configure is null ? new ParquetSourceOptions { Path = path } : configure(new ParquetSourceOptions { Path = path }));

    /// <summary>Writes records of <typeparamref name="T"/> as zstd Parquet part files in the folder <paramref name="path"/>.</summary>
    public static RecordSink<T> Folder<T>(string path, Func<ParquetSinkOptions, ParquetSinkOptions>? configure = null) =>
        new(configure is null ? new ParquetSinkOptions { Path = path } : configure(new ParquetSinkOptions { Path = path }));
}
