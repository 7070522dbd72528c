using System.Text;

namespace Sluice.CrashHarness;

/// <summary>One row of the generated data as every sink writes it back: the harness's unit of comparison.</summary>
internal readonly record struct OutputRow(long Id, long Grp, long? Amount, string Name)
{
    /// <summary>A 64-bit FNV-1a hash of the row's canonical text; summed over a multiset it is order-independent.</summary>
    public ulong Hash()
    {
        string canonical = $"{Id}|{Grp}|{(Amount is { } a ? a.ToString(System.Globalization.CultureInfo.InvariantCulture) : "null")}|{Name}";
        return Fnv1a(canonical);
    }

    /// <summary>64-bit FNV-1a of <paramref name="canonical"/>'s UTF-8 bytes.</summary>
    public static ulong Fnv1a(string canonical)
    {
        ulong hash = 14695981039346656037UL;
        foreach (byte b in Encoding.UTF8.GetBytes(canonical))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }
        return hash;
    }
}
