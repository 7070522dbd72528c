using Sluice.Connectors.Csv;
using Sluice.Connectors.Jsonl;
using Sluice.Connectors.Parquet;

namespace Sluice;

/// <summary>CSV files as the source or sink of a typed pipeline; see the <c>csv</c> source and sink in docs/pipeline-file.md.</summary>
public static class Csv
{
    /// <summary>Reads the files <paramref name="path"/> matches (a glob, relative to the pipeline's base folder) as
    /// records of <typeparamref name="T"/>: its columns by name, typed and checked by the contract it implies.</summary>
    public static RecordSource<T> Files<T>(string path, Func<CsvSourceOptions, CsvSourceOptions>? configure = null) =>
        new(Configure(new CsvSourceOptions { Path = path }, configure));

    /// <summary>Writes records of <typeparamref name="T"/> as CSV part files in the folder <paramref name="path"/>.</summary>
    public static RecordSink<T> Folder<T>(string path, Func<CsvSinkOptions, CsvSinkOptions>? configure = null) =>
        new(Configure(new CsvSinkOptions { Path = path }, configure));

    internal static TOptions Configure<TOptions>(TOptions options, Func<TOptions, TOptions>? configure) =>
        configure is null ? options : configure(options);
}

/// <summary>JSON Lines files as the source or sink of a typed pipeline.</summary>
public static class Jsonl
{
    /// <inheritdoc cref="Csv.Files{T}"/>
    public static RecordSource<T> Files<T>(string path, Func<JsonlSourceOptions, JsonlSourceOptions>? configure = null) =>
        new(Csv.Configure(new JsonlSourceOptions { Path = path }, configure));

    /// <summary>Writes records of <typeparamref name="T"/> as JSON Lines part files in the folder <paramref name="path"/>.</summary>
    public static RecordSink<T> Folder<T>(string path, Func<JsonlSinkOptions, JsonlSinkOptions>? configure = null) =>
        new(Csv.Configure(new JsonlSinkOptions { Path = path }, configure));
}

/// <summary>Parquet files as the source or sink of a typed pipeline.</summary>
public static class Parquet
{
    /// <inheritdoc cref="Csv.Files{T}"/>
    public static RecordSource<T> Files<T>(string path, Func<ParquetSourceOptions, ParquetSourceOptions>? configure = null) =>
        new(Csv.Configure(new ParquetSourceOptions { Path = path }, configure));

    /// <summary>Writes records of <typeparamref name="T"/> as zstd Parquet part files in the folder <paramref name="path"/>.</summary>
    public static RecordSink<T> Folder<T>(string path, Func<ParquetSinkOptions, ParquetSinkOptions>? configure = null) =>
        new(Csv.Configure(new ParquetSinkOptions { Path = path }, configure));
}
