namespace Sluice.Contracts;

/// <summary>
/// A fixed-size open-addressing map from a packed short value to its pattern verdict (any 64-bit key works: empty
/// slots are marked in the verdict array, not by a reserved key). Written out instead of a
/// <c>Dictionary&lt;ulong, bool&gt;</c> because that generic instantiation is not precompiled and ran as unoptimised
/// code in the per-value path; this one is a multiply, a shift and a probe or two.
/// </summary>
internal sealed class ShortValueVerdicts
{
    private readonly ulong[] _keys;
    private readonly byte[] _verdicts; // 0 empty, 1 no match, 2 match
    private readonly int _shift;
    private readonly int _capacity;
    private int _count;

    /// <param name="capacity">Most keys kept; the table is twice as large so probes stay short.</param>
    public ShortValueVerdicts(int capacity)
    {
        int size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacity * 2);
        _keys = new ulong[size];
        _verdicts = new byte[size];
        _shift = 64 - System.Numerics.BitOperations.Log2((uint)size);
        _capacity = capacity;
    }

    public bool TryGet(ulong key, out bool verdict)
    {
        int mask = _keys.Length - 1;
        for (int slot = Slot(key); ; slot = (slot + 1) & mask)
        {
            byte state = _verdicts[slot];
            if (state == 0)
            {
                verdict = false;
                return false;
            }
            if (_keys[slot] == key)
            {
                verdict = state == 2;
                return true;
            }
        }
    }

    /// <summary>Remembers the verdict unless the table is full (then the caller just matches again next time).</summary>
    public void TryAdd(ulong key, bool verdict)
    {
        if (_count >= _capacity)
        {
            return;
        }
        int mask = _keys.Length - 1;
        int slot = Slot(key);
        while (_verdicts[slot] != 0)
        {
            if (_keys[slot] == key)
            {
                return;
            }
            slot = (slot + 1) & mask;
        }
        _keys[slot] = key;
        _verdicts[slot] = verdict ? (byte)2 : (byte)1;
        _count++;
    }

    private int Slot(ulong key) => (int)((key * 0x9E3779B97F4A7C15UL) >> _shift);
}
