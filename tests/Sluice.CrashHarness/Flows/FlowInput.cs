using System.Globalization;
using System.Text.RegularExpressions;

namespace Sluice.CrashHarness.Flows;

/// <summary>
/// A flow trial's input and what a correct flow makes of it. The files are a <see cref="DataSet"/>'s (in in/), so the
/// pipeline task's output and dead letters are <see cref="Pipeline"/>, checked as in the run mode; and per file, what
/// the mapped task's instance must write (<see cref="Sums"/>): its data lines and the sum of its integer amounts,
/// computed here from the files as written, with the harness's own reading of them.
/// </summary>
internal sealed partial record FlowInput(Expected Pipeline, IReadOnlyDictionary<string, FileSum> Sums)
{
    public long Rows => Sums.Values.Sum(s => s.Rows);
    public long Amount => Sums.Values.Sum(s => s.Amount);

    public static FlowInput Write(string folder, int seed, int files, int rowsPerFile)
    {
        var data = DataSet.Write(folder, seed, files, rowsPerFile);
        var sums = new Dictionary<string, FileSum>(StringComparer.Ordinal);
        foreach (string file in Directory.GetFiles(folder, "*.csv"))
        {
            long rows = 0, amount = 0;
            foreach (string line in File.ReadLines(file).Skip(1))
            {
                rows++;
                // The third field: the names, which may hold quoted commas, come after it. A bad row's "7x" or an
                // empty (null) amount is no integer and adds nothing.
                string[] fields = line.Split(',', 4);
                if (fields.Length >= 3 && Integer().IsMatch(fields[2]))
                {
                    amount += long.Parse(fields[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
                }
            }
            sums[Path.GetFileName(file)] = new FileSum(rows, amount);
        }
        return new FlowInput(data.Expected, sums);
    }

    [GeneratedRegex("^-?[0-9]+$")]
    private static partial Regex Integer();
}
