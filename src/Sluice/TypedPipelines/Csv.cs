using Sluice.Connectors.Csv;

namespace Sluice;

/// <summary>CSV files as the source or sink of a typed pipeline; see the <c>csv</c> source and sink in docs/pipeline-file.md.</summary>
public static class Csv
{
    /// <summary>Reads the files <paramref name="path"/> matches (a glob, relative to the pipeline's base folder) as
    /// records of <typeparamref name="T"/>: its columns by name, typed and checked by the contract it implies.</summary>
    public static RecordSource<T> Files<T>(string path, Func<CsvSourceOptions, CsvSourceOptions>? configure = null) =>
        new(configure is null ? new CsvSourceOptions { Path = path } : configure(new CsvSourceOptions { Path = path }));

    /// <summary>Writes records of <typeparamref name="T"/> as CSV part files in the folder <paramref name="path"/>.</summary>
    public static RecordSink<T> Folder<T>(string path, Func<CsvSinkOptions, CsvSinkOptions>? configure = null) =>
        new(configure is null ? new CsvSinkOptions { Path = path } : configure(new CsvSinkOptions { Path = path }));
}
