using Sluice.Tests.Examples;

namespace Sluice.Hosting.Tests;

/// <summary>docs/hosting.md's C# snippet compiles as a worker's Program.cs would, with only the usings it shows. It
/// is not run: its cron schedule would run until stopped, and <see cref="WorkerProcessTests"/> runs a worker like it.</summary>
public sealed class DocSnippetTests
{
    [Fact]
    public void The_hosting_docs_snippet_compiles_with_its_own_usings()
    {
        var blocks = DocSnippets.Blocks("docs/hosting.md");

        string code = Assert.Single(blocks);
        Assert.Contains("AddSluice", code);
        Assert.Contains("AddPipeline", code);
        DocSnippets.Compile(code);
    }
}
