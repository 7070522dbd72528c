using System.Globalization;
using System.Runtime.InteropServices;
using Apache.Arrow;
using Sluice.Execution;
using Sluice.Records;

namespace Sluice.Transforms.Dedupe;

/// <summary>
/// Remembers the keys it has seen as strings: each key column's value is written after a tag and its length in
/// fixed-width digits, so distinct keys never encode alike (no hashing, hence no false duplicates). A row's key is written into
/// one reused char buffer and looked up by span; a string is allocated only for a key seen for the first time.
/// The key set is its checkpointed state: a resumed run still drops what the crashed attempt already wrote.
/// </summary>
internal sealed class DedupeTransform(Schema input, int[] keyColumns) : IStatefulTransform
{
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly List<int> _keep = [];
    private char[] _key = new char[256];
    private int _length;

    public Schema OutputSchema => input;

    public Batch? Apply(Batch batch, StageContext context)
    {
        var lookup = _seen.GetAlternateLookup<ReadOnlySpan<char>>();
        _keep.Clear();
        for (int row = 0; row < batch.Length; row++)
        {
            _length = 0;
            foreach (int column in keyColumns)
            {
                AppendValue(batch.Data.Column(column), row);
            }
            if (lookup.Add(_key.AsSpan(0, _length)))
            {
                _keep.Add(row);
            }
        }
        context.RecordsFiltered(batch.Length - _keep.Count);
        return _keep.Count == 0 ? null : ArrayTake.Take(batch, CollectionsMarshal.AsSpan(_keep));
    }

    public byte[] SaveState()
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8))
        {
            writer.Write(_seen.Count);
            foreach (string key in _seen)
            {
                writer.Write(key);
            }
        }
        return buffer.ToArray();
    }

    public void RestoreState(byte[] state)
    {
        using var reader = new BinaryReader(new MemoryStream(state), System.Text.Encoding.UTF8);
        _seen.Clear();
        for (int count = reader.ReadInt32(); count > 0; count--)
        {
            _seen.Add(reader.ReadString());
        }
    }

    private void AppendValue(IArrowArray array, int row)
    {
        if (array.IsNull(row))
        {
            Append("\0");
            return;
        }
        const int PrefixLength = 12; // tag, the value's length in 10 digits, ':'
        int start = _length + PrefixLength;
        Reserve(start + 64);
        int written = array switch
        {
            StringArray s => WriteString(s, row, start),
            BooleanArray b => Write(b.GetValue(row)!.Value ? 1L : 0L, start),
            Int64Array i => Write(i.GetValue(row)!.Value, start),
            DoubleArray d => Write(BitConverter.DoubleToInt64Bits(d.GetValue(row)!.Value), start),
            Decimal128Array m => Write(m.GetValue(row)!.Value, start),
            Date32Array d => Write(d.GetValue(row)!.Value, start),
            TimestampArray t => Write(t.GetValue(row)!.Value, start),
            _ => throw new NotSupportedException($"dedupe cannot key on an Arrow {array.Data.DataType.Name} column"),
        };
        _key[_length] = '\u0001';
        written.TryFormat(_key.AsSpan(_length + 1, 10), out _, "D10", CultureInfo.InvariantCulture);
        _key[_length + 11] = ':';
        _length = start + written;
    }

    private int WriteString(StringArray array, int row, int start)
    {
        ReadOnlySpan<byte> bytes = array.GetBytes(row);
        Reserve(start + System.Text.Encoding.UTF8.GetMaxCharCount(bytes.Length));
        return System.Text.Encoding.UTF8.GetChars(bytes, _key.AsSpan(start));
    }

    private int Write<T>(T value, int start) where T : ISpanFormattable
    {
        value.TryFormat(_key.AsSpan(start), out int written, default, CultureInfo.InvariantCulture);
        return written;
    }

    private void Append(string text)
    {
        Reserve(_length + text.Length);
        text.CopyTo(_key.AsSpan(_length));
        _length += text.Length;
    }

    private void Reserve(int size)
    {
        if (size > _key.Length)
        {
            System.Array.Resize(ref _key, Math.Max(size, _key.Length * 2));
        }
    }
}
