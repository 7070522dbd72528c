using System.Globalization;

namespace Sluice.CrashHarness.Flows;

/// <summary>One line a command task appended to the ledger: <c>START|END|FAIL TASK ITEM FLOW_RUN ATTEMPT NS</c>, ITEM
/// being the mapped instance's item (a path) or <c>-</c>, NS the wall clock in nanoseconds since the epoch
/// (<c>date +%s%N</c>).</summary>
internal sealed record LedgerLine(string What, string Task, string? Item, string FlowRun, int Attempt, long Nanoseconds)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{What} {Task} {Item ?? "-"} {FlowRun} {Attempt} {Nanoseconds}");

    /// <summary>The ledger's lines, in the order they were appended; a line that does not parse throws (a torn append
    /// would be a finding in itself).</summary>
    public static List<LedgerLine> Read(string path) =>
        File.Exists(path) ? [.. File.ReadLines(path).Where(l => l.Length > 0).Select(Parse)] : [];

    public static LedgerLine Parse(string line)
    {
        string[] parts = line.Split(' ');
        if (parts.Length < 6 || !int.TryParse(parts[^2], CultureInfo.InvariantCulture, out int attempt)
            || !long.TryParse(parts[^1], CultureInfo.InvariantCulture, out long ns))
        {
            throw new InvalidDataException($"ledger line '{line}' is not 'WHAT TASK ITEM FLOW_RUN ATTEMPT NS'");
        }
        // An item is a path and could hold spaces: it is everything between the task and the flow run.
        string item = string.Join(' ', parts[2..^3]);
        return new LedgerLine(parts[0], parts[1], item == "-" ? null : item, parts[^3], attempt, ns);
    }
}
