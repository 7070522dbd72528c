using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Sluice.Cli.Tests.TestSupport;
using Sluice.State.Sqlite;

namespace Sluice.Cli.Tests.Hostile;

/// <summary>
/// The hostile-input suite: broken files, pathological values, bad pipeline files and bad arguments, each asserting
/// the documented exit code, that no stack trace reaches either stream, and for runs that the summary balances
/// (<c>in = out + dead + filtered</c>) with every good record published exactly once. The corpus is
/// <see cref="HostileCorpus"/>: add a case there when a new way to break Sluice is found.
/// </summary>
public sealed class HostileInputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sluice-hostile-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<HostileCase> Cases => [.. HostileCorpus.All];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Each_hostile_input_gets_its_documented_exit_code_and_no_stack_trace(HostileCase hostile)
    {
        hostile.Setup(_dir);
        string[] args = hostile.Args.Select(a => a.Replace("{dir}", _dir, StringComparison.Ordinal)).ToArray();

        CliResult result = hostile.OwnProcess ? await SluiceProcess.RunAsync(args) : await TestSupport.Sluice.RunAsync(args);

        string output = $"exit {result.ExitCode}\nstdout:\n{result.Stdout}\nstderr:\n{result.Stderr}";
        Assert.True(hostile.ExitCode == result.ExitCode, $"expected exit {hostile.ExitCode}; {output}");
        Assert.False(StackTrace.IsMatch(result.Stdout) || StackTrace.IsMatch(result.Stderr), $"a stack trace reached the user; {output}");
        if (hostile.GoodIds is { } good)
        {
            Assert.Equal(good.Order(), PublishedIds().Order()); // each good record once, nothing else
            await AssertBalancedAsync();
        }
    }

    /// <summary>A .NET stack frame, an unhandled-exception banner or a runtime abort.</summary>
    private static readonly Regex StackTrace = new(@"(?m)^\s+at \S+[.(]|Unhandled exception|Stack overflow|   --- End of", RegexOptions.CultureInvariant);

    private List<long> PublishedIds()
    {
        string folder = Path.Combine(_dir, "out");
        return !Directory.Exists(folder) ? [] : Directory.GetFiles(folder, "*.jsonl")
            .SelectMany(File.ReadLines)
            .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("id").GetInt64())
            .ToList();
    }

    private async Task AssertBalancedAsync()
    {
        await using var store = await SqliteStateStore.OpenAsync(HostileCorpus.StateFile(_dir));
        foreach (var run in await store.ListRunsAsync())
        {
            Assert.True(run.RecordsRead == run.RecordsWritten + run.DeadLettered + run.Filtered,
                $"run {run.Id}: in {run.RecordsRead} ≠ out {run.RecordsWritten} + dead {run.DeadLettered} + filtered {run.Filtered}");
        }
    }
}
