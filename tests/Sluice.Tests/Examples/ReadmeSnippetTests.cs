using System.Text.RegularExpressions;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Examples;

/// <summary>The README's C# snippets, compiled as a user would compile them and run on the flights example.</summary>
public sealed class ReadmeSnippetTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(0, "late")]   // a PipelineDefinition of option records
    [InlineData(1, "routes")] // a typed pipeline of record types and lambdas
    public void A_readme_pipeline_in_csharp_compiles_and_runs_with_its_own_usings(int block, string folder)
    {
        var blocks = DocSnippets.Blocks("README.md");
        Assert.Equal(2, blocks.Count);
        string code = blocks[block];
        FlightsExample.CopyTo(_dir.Path);

        var (exitCode, output) = DocSnippets.CompileAndRun(code, _dir.Path);

        Assert.True(exitCode == 0, output);
        var printed = Regex.Match(output, @"Succeeded: (\d+) written, (\d+) dead-lettered");
        Assert.True(printed.Success, output);
        long written = long.Parse(printed.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var files = Directory.GetFiles(Path.Combine(_dir.Path, "out", folder), "*.parquet");
        Assert.Equal(written, FlightsExample.ReadParquet(files).Sum(b => (long)b.Length));
        Assert.True(written > 1000, output);
    }
}
