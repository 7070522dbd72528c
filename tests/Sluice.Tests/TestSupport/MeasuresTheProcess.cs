namespace Sluice.Tests.TestSupport;

/// <summary>Tests that measure the whole process (<c>GC.GetTotalAllocatedBytes</c>): they run with no other test in
/// parallel, whose allocations would count as theirs (a run in CI measured 860 MB for a task that allocates under 300).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MeasuresTheProcess
{
    public const string Name = "measures the process";
}
