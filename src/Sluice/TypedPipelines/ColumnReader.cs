using System.Buffers;
using Apache.Arrow;

namespace Sluice.TypedPipelines;

/// <summary>
/// Reads the values of one Arrow column for a compiled record reader. <see cref="Bind"/> pins the column's buffers
/// once per batch, so that reading a value is a pointer load, not the span and bounds work of Arrow's accessors on
/// every row; <see cref="Release"/> unpins them when the batch is done.
/// </summary>
/// <remarks>Used by one transform instance, on one thread at a time.</remarks>
internal abstract unsafe class ColumnReader(string column, string member)
{
    private MemoryHandle _validity;
    private MemoryHandle _values;
    private byte* _validityBits; // null when the column has no null
    private int _offset;

    /// <summary>The column's values buffer (buffer 1), pinned; the offsets of a string column.</summary>
    protected byte* Values { get; private set; }

    public void Bind(IArrowArray array)
    {
        Release();
        var data = array.Data;
        _offset = data.Offset;
        if (data.NullCount != 0 && !data.Buffers[0].IsEmpty)
        {
            _validity = data.Buffers[0].Memory.Pin();
            _validityBits = (byte*)_validity.Pointer;
        }
        _values = data.Buffers[1].Memory.Pin();
        Values = (byte*)_values.Pointer;
        BindMore(array);
    }

    /// <summary>Pins what else the column needs (a string column's data).</summary>
    protected virtual void BindMore(IArrowArray array)
    {
    }

    public virtual void Release()
    {
        _validity.Dispose();
        _values.Dispose();
        _validity = default;
        _values = default;
        _validityBits = null;
        Values = null;
    }

    /// <summary>The row's index into the column's buffers (an array may be a slice of them).</summary>
    protected int Index(int row) => row + _offset;

    protected bool IsNull(int row)
    {
        if (_validityBits == null)
        {
            return false;
        }
        int bit = row + _offset;
        return (_validityBits[bit >> 3] & (1 << (bit & 7))) == 0;
    }

    /// <summary>The record's failure when a property that cannot hold null meets a null: it goes to the dead-letter
    /// queue like any record a lambda cannot handle.</summary>
    protected InvalidDataException NullInto() =>
        new($"column '{column}' is null in this record, but {member} cannot hold null; make it nullable (add ?)");
}
