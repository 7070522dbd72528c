using Sluice.Connectors.Jsonl;

namespace Sluice;

/// <summary>JSON Lines files as the source or sink of a typed pipeline.</summary>
public static class Jsonl
{
    /// <inheritdoc cref="Csv.Files{T}"/>
    public static RecordSource<T> Files<T>(string path, Func<JsonlSourceOptions, JsonlSourceOptions>? configure = null) =>
        new(configure is null ? new JsonlSourceOptions { Path = path } : configure(new JsonlSourceOptions { Path = path }));

    /// <summary>Writes records of <typeparamref name="T"/> as JSON Lines part files in the folder <paramref name="path"/>.</summary>
    public static RecordSink<T> Folder<T>(string path, Func<JsonlSinkOptions, JsonlSinkOptions>? configure = null) =>
        new(configure is null ? new JsonlSinkOptions { Path = path } : configure(new JsonlSinkOptions { Path = path }));
}
