using System.Globalization;
using System.Text;

namespace Sluice.CrashHarness;

/// <summary>
/// Deterministic CSV input made from a seed (<c>id,grp,amount,name</c>; ids 1..N unique across all files), with
/// bad rows the pipeline must dead-letter (a wrong field count, which the source rejects; a non-integer int64,
/// which the contract rejects) and rows the filter drops (<c>grp = 0</c>); some amounts are null and some names
/// need CSV quoting. The first data line of the first file and the last line of the second are always bad, so a
/// checkpoint can fall on a batch that ends in dead letters only. Files <c>a-*.csv</c> and <c>b-*.csv</c> are the
/// two halves a union scenario reads with two sources. The contract's bad rows are also what a replay with the fixed
/// contract writes (<see cref="Expected.ReplayedRows"/>); the source's stay dead letters.
/// </summary>
internal sealed class DataSet
{
    public const string Header = "id,grp,amount,name";

    private DataSet(IReadOnlyList<OutputRow> rows, Expected expected)
    {
        ExpectedRows = rows;
        Expected = expected;
    }

    /// <summary>The rows a correct run writes, in input order.</summary>
    public IReadOnlyList<OutputRow> ExpectedRows { get; }

    public Expected Expected { get; }

    /// <summary>Writes <paramref name="files"/> files of <paramref name="rowsPerFile"/> data lines each into
    /// <paramref name="folder"/>.</summary>
    public static DataSet Write(string folder, int seed, int files, int rowsPerFile)
    {
        Directory.CreateDirectory(folder);
        var random = new Random(seed);
        var rows = new List<OutputRow>(files * rowsPerFile);
        var dead = new HashSet<(string, long)>();
        var unparsable = new HashSet<(string, long)>();
        var replayed = new List<ReplayedRow>();
        long replayFiltered = 0;
        ulong checksum = 0;
        long id = 0, filtered = 0;
        var line = new StringBuilder();
        for (int f = 0; f < files; f++)
        {
            string name = FileName(f, files);
            using var writer = new StreamWriter(Path.Combine(folder, name), false, new UTF8Encoding(false)) { NewLine = "\n" };
            writer.WriteLine(Header);
            for (int r = 0; r < rowsPerFile; r++)
            {
                id++;
                long grp = random.Next(0, 7);
                long? amount = random.Next(50) == 0 ? null : random.NextInt64(-1_000_000_000, 1_000_000_000);
                string text = random.Next(100) == 0 ? $"q \"{id}\", x" : $"n{id}";
                bool forced = (f == 0 && r == 0) || (f == 1 && r == rowsPerFile - 1);
                int bad = forced ? 1 + f : random.Next(2000) switch { 0 => 1, 1 => 2, 2 => 3, _ => 0 };
                line.Clear().Append(id).Append(',');
                switch (bad)
                {
                    case 1: // three fields instead of four: the csv source dead-letters it
                        line.Append(grp).Append(',').Append(amount);
                        break;
                    case 2: // a non-integer amount: the contract dead-letters it
                        line.Append(grp).Append(',').Append(amount ?? 7).Append("x,").Append(Quote(text));
                        break;
                    case 3: // a non-integer grp
                        line.Append("g").Append(grp).Append(',').Append(amount).Append(',').Append(Quote(text));
                        break;
                    default:
                        line.Append(grp).Append(',').Append(amount).Append(',').Append(Quote(text));
                        break;
                }
                writer.WriteLine(line);
                if (bad != 0)
                {
                    dead.Add((name, r + 2)); // line 1 is the header
                    // What the fixed contract (grp and amount as strings) makes of it, and the fixed filter grp != '0'.
                    string grpText = grp.ToString(CultureInfo.InvariantCulture);
                    switch (bad)
                    {
                        case 1:
                            unparsable.Add((name, r + 2));
                            break;
                        case 2 when grp == 0:
                            replayFiltered++;
                            break;
                        case 2:
                            replayed.Add(new ReplayedRow(id, grpText, string.Create(CultureInfo.InvariantCulture, $"{amount ?? 7}x"), text));
                            break;
                        default:
                            replayed.Add(new ReplayedRow(id, "g" + grpText, amount?.ToString(CultureInfo.InvariantCulture), text));
                            break;
                    }
                }
                else if (grp == 0)
                {
                    filtered++;
                }
                else
                {
                    var row = new OutputRow(id, grp, amount, text);
                    rows.Add(row);
                    checksum += row.Hash();
                }
            }
        }
        return new DataSet(rows, new Expected
        {
            MaxId = id,
            OutputIds = rows.Select(r => r.Id).ToHashSet(),
            Checksum = checksum,
            DeadLetters = dead,
            In = id,
            Filtered = filtered,
            UnparsableLetters = unparsable,
            ReplayedRows = replayed,
            ReplayFiltered = replayFiltered,
        });
    }

    private static string FileName(int index, int files) =>
        index < (files + 1) / 2
            ? string.Create(CultureInfo.InvariantCulture, $"a-{index}.csv")
            : string.Create(CultureInfo.InvariantCulture, $"b-{index - (files + 1) / 2}.csv");

    private static string Quote(string text) =>
        text.AsSpan().IndexOfAny(",\"") >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
}
