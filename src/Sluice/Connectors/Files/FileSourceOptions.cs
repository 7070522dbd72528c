using Sluice.Configuration;

namespace Sluice.Connectors.Files;

/// <summary>The options every file source has, declared once.</summary>
internal static class FileSourceOptions
{
    public static OptionSpec Path(string example) => new("path", Shape.String,
        "Glob of the files to read, in name order, relative to the pipeline file's folder: `*` and `?` match within " +
        "a folder name, `**` any number of folders, `{a,b}` either alternative (e.g. `data/{2025,2026}/*.csv`).",
        Required: true, Example: example);

    public static OptionSpec Exclude { get; } = new("exclude", Shape.ListOf(Shape.String),
        "Globs (same syntax as `path`) of files `path` matches that are not read, e.g. a folder a sink writes into.",
        Example: "[data/out/**, \"data/**/*.tmp\"]");

    public static OptionSpec OnChangedFile { get; } = new("on_changed_file", Shape.Enum("reread", "skip", "fail"),
        "What to do with a file consumed by an earlier run whose consumed bytes have changed since (a file that only " +
        "grew is read on from where it ended): `reread` it from its start, `skip` it, or `fail` the run. A warning " +
        "names the file in every case.", Default: "reread");

    public static Sluice.OnChangedFile BindOnChangedFile(ConfigNode node) => node.GetString("on_changed_file") switch
    {
        "skip" => Sluice.OnChangedFile.Skip,
        "fail" => Sluice.OnChangedFile.Fail,
        _ => Sluice.OnChangedFile.Reread,
    };
}
