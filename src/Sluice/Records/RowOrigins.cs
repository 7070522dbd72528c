using Sluice.Records;
namespace Sluice.Extensibility;

/// <summary>
/// Maps each row of a batch to the original record it came from. Filtering stages narrow it with
/// <see cref="Select"/>, which only composes an index array: the original rows are never copied.
/// </summary>
public sealed class RowOrigins
{
    private readonly IOriginalRows _rows;
    private readonly int[]? _index; // null means row i is original row i

    public RowOrigins(IOriginalRows rows) : this(rows, null) { }

    private RowOrigins(IOriginalRows rows, int[]? index)
    {
        _rows = rows;
        _index = index;
    }

    public int Count => _index?.Length ?? _rows.Count;

    public string Input => _rows.Input;

    public RowOrigin this[int row]
    {
        get
        {
            int original = _index is null ? row : _index[row];
            return new RowOrigin(_rows.Input, _rows.Position(original), _rows.Bytes(original), _rows.Failures(original));
        }
    }

    /// <summary>The origins of the given rows (indices into this batch, ascending), in that order.</summary>
    public RowOrigins Select(ReadOnlySpan<int> rows)
    {
        var index = new int[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            index[i] = _index is null ? rows[i] : _index[rows[i]];
        }
        return new RowOrigins(_rows, index);
    }
}
