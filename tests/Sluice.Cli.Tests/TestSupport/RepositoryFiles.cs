namespace Sluice.Cli.Tests.TestSupport;

/// <summary>Files of this repository the tests use as users get them: the examples and their data.</summary>
public static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    /// <summary>A copy of <c>examples/flights</c> (pipeline and data, none of its output or state) in <paramref name="dir"/>.</summary>
    public static string CopyFlightsExample(TempDir dir)
    {
        string example = Path.Combine(Root, "examples", "flights");
        Directory.CreateDirectory(dir.File("data"));
        foreach (string data in Directory.EnumerateFiles(Path.Combine(example, "data"), "*.csv"))
            File.Copy(data, dir.File(Path.Combine("data", Path.GetFileName(data))));
        File.Copy(Path.Combine(example, "pipeline.yaml"), dir.File("pipeline.yaml"));
        return dir.File("pipeline.yaml");
    }

    private static string FindRoot()
    {
        string dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "Sluice.slnx")))
            dir = Path.GetDirectoryName(dir) ?? throw new InvalidOperationException("Sluice.slnx not found above " + AppContext.BaseDirectory);
        return dir;
    }
}
