using System.Globalization;

namespace Sluice.CrashHarness;

/// <summary>A row the first contract rejected and the fixed one accepts (see <see cref="Scenario.FixedYaml"/>): its
/// <c>grp</c> and <c>amount</c> are strings now, so it hashes apart from an <see cref="OutputRow"/> with the same
/// digits (a good row written as text, or a fixed one written as numbers, changes the checksum).</summary>
internal readonly record struct ReplayedRow(long Id, string Grp, string? Amount, string Name)
{
    public ulong Hash() => OutputRow.Fnv1a(string.Create(CultureInfo.InvariantCulture,
        $"{Id}|'{Grp}'|{(Amount is null ? "null" : $"'{Amount}'")}|{Name}"));
}
