using Sluice.Connectors.Csv;
using Sluice.Connectors.Jsonl;
using Sluice.Connectors.Parquet;
using Sluice.Pipelines;

namespace Sluice.Connectors.Files;

/// <summary>
/// Refuses file sinks whose output a file source of the same pipeline would read (each run would read the last
/// run's output again, and <c>--follow</c> would grow without end), and two file sinks writing one folder (each
/// would take the other's files for its own). A sink's files are <c>part-{run}-{seq}.{ext}</c>, written as
/// <c>….{ext}.inprogress</c>: the check asks whether the source's glob matches either name in the sink's folder,
/// so a glob that cannot (another folder depth or extension) stays allowed.
/// </summary>
internal static class FileStageOverlap
{
    /// <summary>A part file's name as a sink writes it, for any run.</summary>
    private const string SamplePart = "part-20260101-000000-a1b2c3-00000.";

    public static List<Diagnostic> Problems(IReadOnlyList<StageDefinition> stages, string baseDirectory)
    {
        var problems = new List<Diagnostic>();
        var sinks = stages.Select(s => (Stage: s, Sink: SinkFolder(s.Options))).Where(s => s.Sink is not null).ToList();
        var comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        for (int i = 0; i < sinks.Count; i++)
        {
            var (stage, (folder, extension)) = (sinks[i].Stage, sinks[i].Sink!.Value);
            string full = Path.GetFullPath(Path.Combine(baseDirectory, folder)).TrimEnd(Path.DirectorySeparatorChar);
            foreach (var (source, read) in stages.Select(s => (s, SourceFiles(s.Options))).Where(s => s.Item2 is not null))
            {
                var (glob, exclude) = read!.Value;
                string written = Path.Combine(full, SamplePart + extension);
                if (FileGlob.Matches(glob, baseDirectory, written, exclude) || FileGlob.Matches(glob, baseDirectory, written + ".inprogress", exclude))
                {
                    problems.Add(new Diagnostic(stage.Location,
                        $"sink '{stage.Name}' writes its files into {folder} (part-….{extension}), and source '{source.Name}' reads " +
                        $"path: {glob}, which matches them: every run would read the last run's output again. Give the sink a " +
                        $"folder outside the source's glob, or narrow the glob, or exclude the sink's folder (exclude: [{folder.TrimEnd('/')}/**])"));
                }
            }
            foreach (var (other, otherSink) in sinks.Take(i))
            {
                string otherFull = Path.GetFullPath(Path.Combine(baseDirectory, otherSink!.Value.Folder)).TrimEnd(Path.DirectorySeparatorChar);
                if (string.Equals(full, otherFull, comparison))
                {
                    problems.Add(new Diagnostic(stage.Location,
                        $"sinks '{other.Name}' (path: {otherSink.Value.Folder}) and '{stage.Name}' (path: {folder}) write into one folder, " +
                        "where each would take the other's files for its own (a resumed run deletes its unfinished files by name); " +
                        "give each sink its own folder"));
                }
            }
        }
        return problems;
    }

    private static (string Glob, IReadOnlyList<string> Exclude)? SourceFiles(IStageOptions options) => options switch
    {
        CsvSourceOptions csv => (csv.Path, csv.Exclude),
        JsonlSourceOptions jsonl => (jsonl.Path, jsonl.Exclude),
        ParquetSourceOptions parquet => (parquet.Path, parquet.Exclude),
        _ => null,
    };

    private static (string Folder, string Extension)? SinkFolder(IStageOptions options) => options switch
    {
        CsvSinkOptions csv => (csv.Path, "csv"),
        JsonlSinkOptions jsonl => (jsonl.Path, "jsonl"),
        ParquetSinkOptions parquet => (parquet.Path, "parquet"),
        _ => null,
    };
}
