using System.Text.RegularExpressions;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Examples;

/// <summary>The README's C# snippets, compiled as a user would compile them and run on the flights example.</summary>
public sealed class ReadmeSnippetTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void The_readme_pipeline_in_csharp_compiles_and_runs_with_its_own_usings()
    {
        string code = Assert.Single(DocSnippets.Blocks("README.md"));
        FlightsExample.CopyTo(_dir.Path);

        var (exitCode, output) = DocSnippets.CompileAndRun(code, _dir.Path);

        Assert.True(exitCode == 0, output);
        var printed = Regex.Match(output, @"Succeeded: (\d+) written, (\d+) dead-lettered");
        Assert.True(printed.Success, output);
        long written = long.Parse(printed.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var files = Directory.GetFiles(Path.Combine(_dir.Path, "out", "late"), "*.parquet");
        Assert.Equal(written, FlightsExample.ReadParquet(files).Sum(b => (long)b.Length));
        Assert.True(written > 1000, output);
    }
}
