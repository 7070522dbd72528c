using System.Globalization;

namespace Sluice.CrashHarness.Services;

/// <summary>
/// The entries a services trial produces, made from a seed: ids 1..N, each once; <c>grp</c> 0..6 (the filter
/// <c>grp != 0</c> drops 0), an <c>amount</c> missing one time in 40, a <c>name</c> that is sometimes not plain ASCII
/// (quotes, a comma, accents, an emoji), a <c>tag</c> missing one time in three. Bad entries are planted at known
/// places: about one in 300 of each <see cref="EntryFault"/>, plus always an unreadable first entry (a batch of dead
/// letters only, at the very start), a sink-rejected one in the middle and a contract-rejected last entry (a trailing
/// dead letter that the last checkpoint's position must still cover).
/// </summary>
internal static class ServiceData
{
    public static IReadOnlyList<ServiceEntry> Generate(int seed, int count)
    {
        var random = new Random(seed);
        var entries = new List<ServiceEntry>(count);
        for (long id = 1; id <= count; id++)
        {
            long grp = random.Next(0, 7);
            long? amount = random.Next(40) == 0 ? null : random.NextInt64(-1_000_000_000, 1_000_000_000);
            string name = random.Next(50) switch
            {
                0 => $"Zoë \"q\", {id} ✓",
                1 => $"名前-{id} 🚀",
                _ => $"n{id}",
            };
            string? tag = random.Next(3) == 0 ? null : $"t{random.Next(10)}";
            var fault = id == 1 ? EntryFault.Unreadable
                : id == count ? EntryFault.Contract
                : id == count / 2 ? EntryFault.Sink
                : random.Next(300) switch { 0 => EntryFault.Unreadable, 1 => EntryFault.Contract, 2 => EntryFault.Sink, _ => EntryFault.None };
            int variant = random.Next(4);
            if (fault == EntryFault.Sink && grp == 0)
            {
                grp = 1; // the filter would drop it before the sink sees it
            }
            string grpText = grp.ToString(CultureInfo.InvariantCulture);
            string? amountText = amount?.ToString(CultureInfo.InvariantCulture);
            string nameText = name;
            switch (fault)
            {
                case EntryFault.Contract when variant % 2 == 0:
                    grpText = "g" + grpText;
                    break;
                case EntryFault.Contract:
                    amountText = (amountText ?? "7") + "x";
                    break;
                case EntryFault.Sink:
                    nameText = name + "\0" + "nul";
                    break;
            }
            var fields = new List<(string, string)> { ("id", id.ToString(CultureInfo.InvariantCulture)), ("grp", grpText) };
            if (amountText is not null)
            {
                fields.Add(("amount", amountText));
            }
            fields.Add(("name", nameText));
            if (tag is not null)
            {
                fields.Add(("tag", tag));
            }
            entries.Add(new ServiceEntry(fields, new ServiceRow(id, grp, amount, name, tag), fault, variant));
        }
        return entries;
    }

    /// <summary>What a correct pipeline leaves behind for <paramref name="entries"/>, written at
    /// <paramref name="positions"/> (the producer's, one per entry) into the stream whose dead letters name
    /// <paramref name="input"/>.</summary>
    public static ServiceExpected Expect(IReadOnlyList<ServiceEntry> entries, IReadOnlyList<string> positions, string input)
    {
        if (positions.Count != entries.Count)
        {
            throw new InvalidOperationException($"{positions.Count} positions for {entries.Count} entries: the producer did not finish");
        }
        var ids = new HashSet<long>();
        var letters = new Dictionary<(string, string), ExpectedLetter>();
        ulong checksum = 0;
        long filtered = 0;
        for (int i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            if (entry.Letter is { } letter)
            {
                letters[(input, positions[i])] = letter;
            }
            else if (entry.Row.Grp == 0)
            {
                filtered++;
            }
            else
            {
                ids.Add(entry.Row.Id);
                checksum += entry.Row.Hash();
            }
        }
        return new ServiceExpected
        {
            MaxId = entries.Count,
            OutputIds = ids,
            Checksum = checksum,
            DeadLetters = letters,
            In = entries.Count,
            Filtered = filtered,
            LastPosition = positions[^1],
        };
    }
}

/// <summary>What a services trial must leave behind: the target table's rows (count, ids, checksum), the dead letters
/// (input and position → stage, reason and rule), the totals, and the position of the last entry the consumer must have read.</summary>
internal sealed class ServiceExpected
{
    public required long MaxId { get; init; }
    public required IReadOnlySet<long> OutputIds { get; init; }
    public required ulong Checksum { get; init; }
    public required IReadOnlyDictionary<(string Input, string Position), ExpectedLetter> DeadLetters { get; init; }
    public required long In { get; init; }
    public required long Filtered { get; init; }
    public required string LastPosition { get; init; }

    public long Out => OutputIds.Count;
    public long Dead => DeadLetters.Count;
}
