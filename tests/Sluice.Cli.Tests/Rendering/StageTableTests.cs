using Sluice.Cli.Rendering;
using Sluice.Execution;
using Sluice.Pipelines;
using Spectre.Console;

namespace Sluice.Cli.Tests.Rendering;

/// <summary>The live table says when a stage is waiting out failures, so a backed-up pipeline is explained.</summary>
public sealed class StageTableTests
{
    [Fact]
    public void The_live_table_marks_an_open_circuit_and_counts_retries()
    {
        var source = new StageCounters("read", StageKind.Source);
        var sink = new StageCounters("post", StageKind.Sink);
        sink.AddRetry();
        sink.AddRetry();

        string retrying = Render(source, sink);
        sink.SetCircuitOpen(true);
        string open = Render(source, sink);
        sink.SetCircuitOpen(false);
        string closed = Render(source, sink);

        Assert.Contains("2 retries", Row(retrying, "post"));
        Assert.DoesNotContain("retries", Row(retrying, "read"));
        Assert.Contains("circuit open", Row(open, "post"));
        Assert.DoesNotContain("circuit open", closed);
        Assert.Equal((1, 1), (sink.CircuitOpenings, sink.CircuitClosings));
    }

    private static string Render(params StageCounters[] stages)
    {
        using var text = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(text), ColorSystem = ColorSystemSupport.NoColors });
        console.Profile.Width = 200;
        console.Write(StageTable.Live(stages, TimeSpan.FromSeconds(1)));
        return text.ToString();
    }

    private static string Row(string table, string stage) =>
        table.Split('\n').Single(line => line.Contains($" {stage} ", StringComparison.Ordinal));
}
