namespace Sluice.Dashboard.Data;

/// <summary>The pipeline files replay may use, by pipeline name. Each file is read once when the dashboard starts
/// (to learn its name; a file that does not parse stops the start, naming it) and again at each replay, so a replay
/// uses the file as it is after the fix.</summary>
internal sealed class PipelineFiles
{
    private readonly Dictionary<string, string> _byName = new(StringComparer.Ordinal);
    private readonly Func<string, PipelineDefinition> _load;

    public PipelineFiles(IEnumerable<string> files, Func<string, PipelineDefinition>? load)
    {
        _load = load ?? (path => PipelineFile.Parse(path));
        foreach (string file in files)
        {
            string full = Path.GetFullPath(file);
            string name = _load(full).Name;
            if (_byName.TryGetValue(name, out string? other) && other != full)
                throw new ArgumentException($"pipeline files {other} and {full} both name pipeline '{name}': give one of them");
            _byName[name] = full;
        }
    }

    public string? FileOf(string pipeline) => _byName.GetValueOrDefault(pipeline);

    /// <summary>The pipeline as its file says now.</summary>
    public PipelineDefinition Load(string file) => _load(file);
}
