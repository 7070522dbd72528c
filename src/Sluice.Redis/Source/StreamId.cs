using System.Globalization;

namespace Sluice.Redis.Source;

/// <summary>A stream entry id, <c>milliseconds-sequence</c>, ordered as Redis orders them.</summary>
internal readonly record struct StreamId(ulong Milliseconds, ulong Sequence) : IComparable<StreamId>
{
    public static readonly StreamId Zero = new(0, 0);

    public static StreamId Parse(string text) =>
        TryParse(text, out var id) ? id : throw new FormatException($"'{text}' is not a stream entry id (milliseconds-sequence)");

    public static bool TryParse(string? text, out StreamId id)
    {
        id = Zero;
        if (text is null)
        {
            return false;
        }
        int dash = text.IndexOf('-', StringComparison.Ordinal);
        string ms = dash < 0 ? text : text[..dash];
        string seq = dash < 0 ? "0" : text[(dash + 1)..];
        if (!ulong.TryParse(ms, NumberStyles.None, CultureInfo.InvariantCulture, out ulong m)
            || !ulong.TryParse(seq, NumberStyles.None, CultureInfo.InvariantCulture, out ulong s))
        {
            return false;
        }
        id = new StreamId(m, s);
        return true;
    }

    /// <summary>The smallest id above this one (for an exclusive start).</summary>
    public StreamId Next() => Sequence == ulong.MaxValue ? new StreamId(Milliseconds + 1, 0) : new StreamId(Milliseconds, Sequence + 1);

    public int CompareTo(StreamId other) =>
        Milliseconds != other.Milliseconds ? Milliseconds.CompareTo(other.Milliseconds) : Sequence.CompareTo(other.Sequence);

    public static bool operator <(StreamId a, StreamId b) => a.CompareTo(b) < 0;
    public static bool operator >(StreamId a, StreamId b) => a.CompareTo(b) > 0;
    public static bool operator <=(StreamId a, StreamId b) => a.CompareTo(b) <= 0;
    public static bool operator >=(StreamId a, StreamId b) => a.CompareTo(b) >= 0;

    public override string ToString() => $"{Milliseconds.ToString(CultureInfo.InvariantCulture)}-{Sequence.ToString(CultureInfo.InvariantCulture)}";
}
