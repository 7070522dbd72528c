namespace Sluice.CrashHarness;

/// <summary>A trial's verdict in the log: PASS and its notes (its folder removed), or FAIL, where its folder is
/// kept for a look, and each problem.</summary>
internal static class TrialReport
{
    /// <param name="alsoKept">What else is kept for a look (a database schema), after the folder.</param>
    /// <returns>True when the trial passed.</returns>
    public static bool Write(TextWriter log, string name, IReadOnlyList<string> notes, TimeSpan took, IReadOnlyList<string> problems, string folder,
        string alsoKept = "")
    {
        string summary = $"{name}: {string.Join(", ", notes)} ({took.TotalMilliseconds:N0} ms)";
        if (problems.Count == 0)
        {
            log.WriteLine($"PASS {summary}");
            Directory.Delete(folder, recursive: true);
            return true;
        }
        log.WriteLine($"FAIL {summary}; kept in {folder}{alsoKept}");
        foreach (string problem in problems)
        {
            log.WriteLine($"  {problem.ReplaceLineEndings("\n    ")}");
        }
        return false;
    }
}
