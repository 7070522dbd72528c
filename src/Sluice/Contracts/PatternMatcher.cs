using System.Text;
using System.Text.RegularExpressions;

namespace Sluice.Contracts;

/// <summary>
/// Checks UTF-8 values against a contract's pattern, built by <see cref="LinearPattern"/> (matching time linear in
/// the value's length, so no value can stall the contract). Verdicts are remembered per distinct value: real columns under a pattern (codes, identifiers,
/// categories) repeat a few thousand values, so most rows cost one hash lookup and no allocation. Values of up to
/// 7 bytes (codes) are looked up by a 64-bit key packed from their bytes, longer ones by their chars. The memory is
/// bounded: after <see cref="MaxRemembered"/> distinct values new ones are matched but not kept.
/// </summary>
internal sealed class PatternMatcher
{
    private const int MaxRemembered = 8192;
    private const int MaxRememberedLength = 64;

    private readonly Regex _pattern;
    private readonly ShortValueVerdicts _shortVerdicts = new(MaxRemembered);
    private readonly Dictionary<string, bool> _verdicts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public PatternMatcher(Regex pattern)
    {
        _pattern = pattern;
        _lookup = _verdicts.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public override string ToString() => _pattern.ToString();

    /// <param name="scratch">A buffer of at least <see cref="Encoding.GetMaxCharCount"/> chars for the value.</param>
    public bool IsMatch(ReadOnlySpan<byte> value, Span<char> scratch)
    {
        if (value.Length <= 7)
        {
            ulong key = (ulong)value.Length << 56;
            for (int i = 0; i < value.Length; i++)
            {
                key |= (ulong)value[i] << (8 * i);
            }
            if (!_shortVerdicts.TryGet(key, out bool known))
            {
                known = _pattern.IsMatch(scratch[..Encoding.UTF8.GetChars(value, scratch)]);
                _shortVerdicts.TryAdd(key, known);
            }
            return known;
        }
        ReadOnlySpan<char> chars = scratch[..Encoding.UTF8.GetChars(value, scratch)];
        if (chars.Length > MaxRememberedLength)
        {
            return _pattern.IsMatch(chars);
        }
        if (_lookup.TryGetValue(chars, out bool verdict))
        {
            return verdict;
        }
        verdict = _pattern.IsMatch(chars);
        if (_verdicts.Count < MaxRemembered)
        {
            _lookup[chars] = verdict;
        }
        return verdict;
    }
}
