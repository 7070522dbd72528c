using Sluice.Connectors;
using Sluice.Configuration;
using Sluice.Connectors.Files;
using Sluice.Connectors.Parquet;
using Sluice.Execution;
using Sluice.Pipelines;

namespace Sluice;

/// <summary>
/// Reads Parquet files in name order. Column types become Sluice types: every integer type int64, float and half
/// float float64, date64 date, a timestamp of any unit or time zone timestamp (microseconds, UTC; a timestamp
/// without zone is taken as UTC), large string string, decimal decimal(28, its scale); bool, string and date as they
/// are. Any other column type (list, struct, map, binary, time…) is an error when the pipeline is built.
/// </summary>
/// <remarks>
/// The first file that opens fixes the columns; a later file whose columns (after that mapping) differ, or that is not
/// a Parquet file or is damaged, is one dead letter (rule <c>schema_mismatch</c> or <c>unreadable_file</c>, the file's
/// first 1 KiB as original bytes) unless <see cref="OnUnreadableFile"/> is fail. A file whose row group cannot be
/// decoded keeps the rows before it; one dead letter stands for the rest.
/// Emits a batch of at most <see cref="BuildContext.BatchSize"/> rows as the file is decoded, never spanning two
/// files; backpressures by awaiting the downstream channel; completes after the last file. A row's origin is its
/// 1-based row number in its file; its original bytes, wanted only for dead letters, are the row as a compact
/// JSON object, rendered when asked. The position after a batch is the file and the 1-based number of the next row;
/// resuming skips the row groups before it and the rows before it in its row group.
/// </remarks>
public sealed record ParquetSourceOptions : ISourceOptions
{
    /// <summary>Glob of the files to read, in name order.</summary>
    public required string Path { get; init; }

    /// <summary>What to do with a file consumed by an earlier run that has changed since (a Parquet file cannot grow: any change is one).</summary>
    public OnChangedFile OnChangedFile { get; init; } = OnChangedFile.Reread;

    /// <summary>Globs of files the path matches that are not read.</summary>
    public IReadOnlyList<string> Exclude { get; init; } = [];

    /// <summary>What a file that cannot be read costs. The default value is <see cref="OnUnreadableFile.DeadLetter"/>.</summary>
    public OnUnreadableFile OnUnreadableFile { get; init; } = OnUnreadableFile.DeadLetter;

    public static ComponentSpec Spec { get; } = new(
        "parquet",
        StageKind.Source,
        "Reads Parquet files; column types are mapped to Sluice types and must be the same in every file. A file that cannot be "
            + "read or has other columns is one dead letter (rule unreadable_file or schema_mismatch) unless on_unreadable_file is fail.",
        Shape.Object(
            FileSourceOptions.Path("data/*.parquet"),
            FileSourceOptions.Exclude,
            FileReadOptionNames.OnUnreadableSpec,
            FileSourceOptions.OnChangedFile),
        node => new ParquetSourceOptions
        {
            Path = node.GetString("path")!,
            OnChangedFile = FileSourceOptions.BindOnChangedFile(node),
            Exclude = node.GetStrings("exclude") ?? [],
            OnUnreadableFile = FileReadOptionNames.ParseOnUnreadable(node.GetString("on_unreadable_file")),
        });

    public ISource CreateSource(BuildContext context) => ParquetSource.Create(this, context);
}
