namespace Sluice.Expressions.Kernels;

/// <summary>
/// A column of values computed for one batch. <see cref="Valid"/> is null when every row is valid (the common,
/// fast case). Vectors are immutable once built: kernels read their inputs and always allocate their output.
/// Storage per type: bool → bool, int64 → long, float64 → double, decimal → decimal, date → int (days since
/// 1970-01-01), timestamp → long (microseconds since the epoch, UTC), string → <see cref="StrVec"/> (UTF-8).
/// </summary>
internal abstract class Vec(int length, bool[]? valid)
{
    public int Length { get; } = length;

    public bool[]? Valid { get; } = valid;

    public bool IsValid(int row) => Valid is null || Valid[row];
}

internal sealed class Vec<T>(T[] values, bool[]? valid) : Vec(values.Length, valid) where T : unmanaged
{
    public T[] Values { get; } = values;
}

/// <summary>UTF-8 strings: row i is <c>Data[Offsets[i]..Offsets[i + 1]]</c>.</summary>
internal sealed class StrVec(byte[] data, int[] offsets, bool[]? valid) : Vec(offsets.Length - 1, valid)
{
    public byte[] Data { get; } = data;

    public int[] Offsets { get; } = offsets;

    public ReadOnlySpan<byte> this[int row] => Data.AsSpan(Offsets[row], Offsets[row + 1] - Offsets[row]);
}

/// <summary>Validity arrays: null means all valid.</summary>
internal static class Validity
{
    /// <summary>Rows valid in both; a fresh array (never an input) unless both are null.</summary>
    public static bool[]? And(bool[]? a, bool[]? b)
    {
        if (a is null) return (bool[]?)b?.Clone();
        if (b is null) return (bool[])a.Clone();
        var r = new bool[a.Length];
        for (int i = 0; i < r.Length; i++) r[i] = a[i] & b[i];
        return r;
    }

    public static bool[] AllValid(int length)
    {
        var r = new bool[length];
        Array.Fill(r, true);
        return r;
    }

    /// <summary>Marks one row null, allocating the array the first time.</summary>
    public static void SetNull(ref bool[]? valid, int row, int length)
    {
        valid ??= AllValid(length);
        valid[row] = false;
    }
}
