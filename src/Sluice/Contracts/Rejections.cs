using Sluice.DeadLetters;
using Sluice.Execution;
using Sluice.Records;

namespace Sluice.Contracts;

/// <summary>
/// The rows of one batch that failed so far. Fields are checked in contract order and a row is rejected at most
/// once, so the first failure in field order is the one that is dead-lettered; later checks skip the row.
/// </summary>
internal sealed class Rejections
{
    private readonly bool[] _rejected;
    private readonly RowOrigins _origins;
    private readonly StageContext _context;

    public Rejections(int rows, RowOrigins origins, StageContext context)
    {
        _rejected = new bool[rows];
        _origins = origins;
        _context = context;
    }

    public int Count { get; private set; }

    public int Rows => _rejected.Length;

    public ReadOnlySpan<bool> Rejected => _rejected;

    public bool IsRejected(int row) => _rejected[row];

    public void Reject(int row, DeadLetterReason reason, string field, string rule, string message)
    {
        _rejected[row] = true;
        Count++;
        _context.DeadLetter(_origins[row], reason, field, rule, message);
    }

    /// <summary>The indices of the rows that were not rejected, ascending.</summary>
    public int[] Kept()
    {
        var kept = new int[_rejected.Length - Count];
        int n = 0;
        for (int row = 0; row < _rejected.Length; row++)
        {
            if (!_rejected[row])
            {
                kept[n++] = row;
            }
        }
        return kept;
    }
}
