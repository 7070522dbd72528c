using System.Diagnostics.CodeAnalysis;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Sluice.Expectations;

/// <summary>The distinct non-null values of one column, as their bytes (UTF-8 for strings, the Arrow value bytes
/// otherwise). A value already seen is looked up by span, so only a new distinct value allocates.</summary>
internal sealed class DistinctValues
{
    private readonly HashSet<byte[]> _values = new(ByteKeys.Instance);
    private readonly HashSet<byte[]>.AlternateLookup<ReadOnlySpan<byte>> _lookup;

    public DistinctValues() => _lookup = _values.GetAlternateLookup<ReadOnlySpan<byte>>();

    public long Count => _values.Count;

    public IEnumerable<byte[]> Values => _values;

    public void Add(ReadOnlySpan<byte> value) => _lookup.Add(value);

    /// <summary>Whether distinct values of an Arrow type can be counted: strings, booleans and fixed-width values.</summary>
    public static bool Supports(IArrowType type) => type is StringType or BooleanType || type is FixedWidthType { BitWidth: >= 8 };

    /// <summary>Adds every non-null value of <paramref name="array"/>.</summary>
    public void AddAll(IArrowArray array)
    {
        bool nulls = array.NullCount > 0;
        switch (array)
        {
            case StringArray strings:
                for (int i = 0; i < strings.Length; i++)
                {
                    if (!nulls || strings.IsValid(i))
                    {
                        _lookup.Add(strings.GetBytes(i));
                    }
                }
                break;
            case BooleanArray booleans:
                // Two values at most: once both are seen, the rest of the column cannot add one.
                for (int i = 0; i < booleans.Length && _values.Count < 2; i++)
                {
                    if (!nulls || booleans.IsValid(i))
                    {
                        _lookup.Add(booleans.GetValue(i) == true ? [1] : [0]);
                    }
                }
                break;
            case DoubleArray doubles:
                var values = doubles.Values;
                for (int i = 0; i < values.Length; i++)
                {
                    if (!nulls || doubles.IsValid(i))
                    {
                        // -0 equals 0 and every NaN is one value, as a reader of the numbers would count them.
                        double d = values[i] == 0 ? 0 : double.IsNaN(values[i]) ? double.NaN : values[i];
                        _lookup.Add(MemoryMarshal.AsBytes(new ReadOnlySpan<double>(in d)));
                    }
                }
                break;
            default:
                int width = ((FixedWidthType)array.Data.DataType).BitWidth / 8;
                var bytes = array.Data.Buffers[1].Span[(array.Offset * width)..];
                for (int i = 0; i < array.Length; i++)
                {
                    if (!nulls || array.IsValid(i))
                    {
                        _lookup.Add(bytes.Slice(i * width, width));
                    }
                }
                break;
        }
    }

    private sealed class ByteKeys : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static ByteKeys Instance { get; } = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);
        public int GetHashCode([DisallowNull] byte[] obj) => GetHashCode((ReadOnlySpan<byte>)obj);
        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);
        public int GetHashCode(ReadOnlySpan<byte> alternate) => (int)XxHash3.HashToUInt64(alternate);
        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}
