using System.Globalization;
using System.Text.Json;

namespace Sluice.CrashHarness.Flows;

/// <summary>Checks what a flow trial left behind — the state file, the ledger, the pipeline's output, the per-file sums
/// and the aggregate's result — against the input; every method returns the problems it found.</summary>
internal static class FlowVerifier
{
    /// <summary>The state file keeps 100 ns ticks and cuts the rest off: a completion recorded at tick t happened
    /// before t + 100 ns, so only a START at or after that is surely later.</summary>
    public const long Tick = 100;

    public static List<string> Verify(string folder, FlowInput input)
    {
        string statePath = SluiceCli.StatePath(folder);
        if (!File.Exists(statePath))
        {
            return [$"no state file at {statePath}"];
        }
        var state = FlowState.Read(statePath);
        var problems = CheckRun(state, input.Sums.Keys);
        try
        {
            problems.AddRange(LedgerChecks.Check(LedgerLine.Read(Path.Combine(folder, FlowLayout.LedgerFile)), state));
        }
        catch (InvalidDataException e)
        {
            problems.Add(e.Message);
        }
        problems.AddRange(Verifier.CheckOutput(Path.Combine(folder, FlowLayout.OutputFolder), input.Pipeline));
        problems.AddRange(Verifier.CheckDeadLetters(statePath, input.Pipeline));
        problems.AddRange(Verifier.CheckStoredTotals(statePath, input.Pipeline));
        problems.AddRange(CheckPipelineTask(state, input.Pipeline));
        problems.AddRange(CheckSums(folder, input));
        problems.AddRange(CheckResults(state, input));
        return problems;
    }

    /// <summary>One flow run (each rerun resumed it), succeeded; every task and every instance of <c>sum</c> (one per
    /// input file) completed, each with exactly one <c>completed</c> event.</summary>
    public static List<string> CheckRun(FlowState state, IEnumerable<string> inputFiles)
    {
        var problems = new List<string>();
        if (state.FlowRuns.Count != 1)
        {
            problems.Add($"{state.FlowRuns.Count} flow runs, expected 1 resumed by every rerun: {string.Join(", ", state.FlowRuns.Select(r => $"{r.Id} {r.State}"))}");
        }
        if (state.FlowRuns.Count > 0 && state.FlowRuns[^1].State != "succeeded")
        {
            problems.Add($"the flow run {state.RunId} is {state.FlowRuns[^1].State}, not succeeded");
        }
        foreach (string task in FlowLayout.Tasks.Where(t => !state.Tasks.Any(r => r.Task == t && r.Instance < 0)))
        {
            problems.Add($"task {task} has no row in task_runs");
        }
        var items = state.Tasks.Where(r => r.Task == FlowLayout.Sum && r.Instance >= 0).Select(r => Path.GetFileName(r.Item ?? "")).Order(StringComparer.Ordinal);
        if (!items.SequenceEqual(inputFiles.Order(StringComparer.Ordinal)))
        {
            problems.Add($"{FlowLayout.Sum} was mapped over [{string.Join(", ", items)}], expected the input files [{string.Join(", ", inputFiles.Order(StringComparer.Ordinal))}]");
        }
        foreach (var row in state.Tasks)
        {
            int completed = state.Completions.Count(c => c.Task == row.Task && c.Instance == row.Instance);
            if (row.State is not ("completed" or "cached"))
            {
                problems.Add($"{row.Name} ended {row.State}");
            }
            else if (completed != (row.State == "completed" ? 1 : 0))
            {
                problems.Add($"{row.Name} has {completed} completed events in task_events, expected {(row.State == "completed" ? 1 : 0)}");
            }
        }
        return problems;
    }

    /// <summary>No pipeline run started after the pipeline task completed (the task ran again), and its result counts
    /// every row written, over the resumes of its pipeline run.</summary>
    public static List<string> CheckPipelineTask(FlowState state, Expected expected)
    {
        var problems = new List<string>();
        foreach (var completion in state.Completions.Where(c => c.Task == FlowLayout.Load))
        {
            foreach (var late in state.PipelineRuns.Where(r => r.StartedAt >= completion.At + Tick))
            {
                problems.Add($"pipeline run {late.Id} started after {FlowLayout.Load} completed");
            }
        }
        var load = state.Tasks.FirstOrDefault(r => r.Task == FlowLayout.Load && r.Instance < 0);
        long? written = Member(load?.Result, "records_written");
        if (written != expected.Out)
        {
            problems.Add($"{FlowLayout.Load}'s result says records_written {written?.ToString(CultureInfo.InvariantCulture) ?? "(none)"}, expected {expected.Out}");
        }
        return problems;
    }

    /// <summary>Each input file's sum holds its rows and amount; nothing else is left in sums/ (a temp file would be a
    /// write that never got renamed).</summary>
    public static List<string> CheckSums(string folder, FlowInput input)
    {
        var problems = new List<string>();
        foreach (var (file, sum) in input.Sums.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            string path = Path.Combine(folder, FlowLayout.SumFile(file));
            string? found = File.Exists(path) ? File.ReadAllText(path).Trim() : null;
            if (found != sum.Text)
            {
                problems.Add($"{FlowLayout.SumFile(file)} holds '{found ?? "(no file)"}', expected '{sum.Text}' (rows, amount)");
            }
        }
        var expected = input.Sums.Keys.Select(f => Path.GetFileName(FlowLayout.SumFile(f))).ToHashSet(StringComparer.Ordinal);
        string sums = Path.Combine(folder, FlowLayout.SumsFolder);
        foreach (string stray in (Directory.Exists(sums) ? Directory.GetFiles(sums) : []).Select(f => Path.GetFileName(f)).Where(f => !expected.Contains(f)))
        {
            problems.Add($"{FlowLayout.SumsFolder}/{stray} should not be there");
        }
        return problems;
    }

    /// <summary><c>prepare</c> counted the input files, and <c>total</c>'s result adds up the sums and the pipeline's
    /// rows: <c>{ files, rows, amount, written }</c>.</summary>
    public static List<string> CheckResults(FlowState state, FlowInput input)
    {
        var problems = new List<string>();
        string? Value(string task) => CommandValue(state.Tasks.FirstOrDefault(r => r.Task == task && r.Instance < 0)?.Result);
        string? prepared = Value(FlowLayout.Prepare);
        if (Member(prepared, "files") != input.Sums.Count)
        {
            problems.Add($"{FlowLayout.Prepare}'s result {prepared ?? "(none)"}, expected {{\"files\": {input.Sums.Count}}}");
        }
        string? total = Value(FlowLayout.Total);
        long?[] got = [Member(total, "files"), Member(total, "rows"), Member(total, "amount"), Member(total, "written")];
        long?[] want = [input.Sums.Count, input.Rows, input.Amount, input.Pipeline.Out];
        if (!got.SequenceEqual(want))
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture,
                $"{FlowLayout.Total}'s result {total ?? "(none)"}, expected {{\"files\": {want[0]}, \"rows\": {want[1]}, \"amount\": {want[2]}, \"written\": {want[3]}}}"));
        }
        return problems;
    }

    /// <summary>The <c>value</c> of a command's result (what it wrote to $SLUICE_RESULT), as JSON text, or null.</summary>
    private static string? CommandValue(string? result)
    {
        if (result is null)
        {
            return null;
        }
        using var document = JsonDocument.Parse(result);
        return document.RootElement.TryGetProperty("value", out var value) ? value.GetRawText() : null;
    }

    /// <summary>An integer member of a JSON object, or null.</summary>
    private static long? Member(string? json, string name)
    {
        if (json is null)
        {
            return null;
        }
        using var document = JsonDocument.Parse(json);
        return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(name, out var member)
            && member.TryGetInt64(out long value) ? value : null;
    }
}
