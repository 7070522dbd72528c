namespace Sluice.CrashHarness.Flows;

/// <summary>What the ledger the commands appended to says against the state file (see <see cref="Check"/>).</summary>
internal static class LedgerChecks
{
    /// <summary>
    /// No completed command ran again: no START of a task instance comes after its completion was recorded (by the
    /// wall clock both use, allowing for the state file's <see cref="FlowVerifier.Tick"/>); no attempt number started twice (an
    /// attempt is recorded running before its command starts, so two STARTs of one attempt mean one was not
    /// recorded); the attempt recorded as the completing one started and ended; every line belongs to the trial's
    /// flow run; and <c>flaky</c> failed at least once and completed on a later attempt.
    /// </summary>
    public static List<string> Check(IReadOnlyList<LedgerLine> ledger, FlowState state)
    {
        var problems = new List<string>();
        var rows = state.Tasks.Where(IsCommand).ToDictionary(r => (r.Task, r.Instance < 0 ? null : r.Item));
        foreach (var line in ledger.Where(l => l.FlowRun != state.RunId))
        {
            problems.Add($"ledger line '{line}' is from another flow run than {state.RunId}");
        }
        foreach (var group in ledger.Where(l => l.FlowRun == state.RunId).GroupBy(l => (l.Task, l.Item)))
        {
            if (!rows.TryGetValue(group.Key, out var row))
            {
                problems.Add($"ledger lines of {group.Key.Task} {group.Key.Item}, which the flow run has no row for");
                continue;
            }
            var starts = group.Where(l => l.What == "START").ToList();
            foreach (var completion in state.Completions.Where(c => c.Task == row.Task && c.Instance == row.Instance))
            {
                foreach (var late in starts.Where(s => s.Nanoseconds >= completion.At + FlowVerifier.Tick))
                {
                    problems.Add($"{row.Name} ran again after it completed: attempt {late.Attempt} started at {late.Nanoseconds} ns, " +
                        $"{(late.Nanoseconds - completion.At) / 1e6:F3} ms after its completion was recorded ({completion.At} ns)");
                }
            }
            foreach (var twice in starts.GroupBy(s => s.Attempt).Where(g => g.Count() > 1))
            {
                problems.Add($"{row.Name}: attempt {twice.Key} started {twice.Count()} times");
            }
            if (starts.FirstOrDefault(s => s.Attempt > row.Attempts) is { } unrecorded)
            {
                problems.Add($"{row.Name}: attempt {unrecorded.Attempt} started, but task_runs counts {row.Attempts} attempts");
            }
        }
        foreach (var row in rows.Values.Where(r => r.State == "completed"))
        {
            bool Has(string what) => ledger.Any(l => l.What == what && l.FlowRun == state.RunId && l.Task == row.Task
                && l.Item == (row.Instance < 0 ? null : row.Item) && l.Attempt == row.Attempts);
            if (!Has("START") || !Has("END"))
            {
                problems.Add($"{row.Name} is recorded completed by attempt {row.Attempts}, but the ledger has no START and END of that attempt");
            }
        }
        if (!ledger.Any(l => l.What == "FAIL" && l.Task == FlowLayout.Flaky) || !rows.TryGetValue((FlowLayout.Flaky, null), out var flaky) || flaky.Attempts < 2)
        {
            problems.Add($"{FlowLayout.Flaky} never failed and was retried (it fails its first attempt in each process)");
        }
        return problems;
    }

    /// <summary>The rows a command runs for: every task but the pipeline task, and the mapped task's instances (not the
    /// mapped task itself).</summary>
    private static bool IsCommand(TaskRow row) => row.Task != FlowLayout.Load && !(row.Task == FlowLayout.Sum && row.Instance < 0);
}
