using Apache.Arrow;

namespace Sluice.Expressions.Kernels;

/// <summary>
/// State of one <see cref="CompiledExpression.Evaluate"/> call: the batch, columns already read (a column used twice
/// is read once), the rows that failed, and the active-row mask. Kernels evaluate every row (cheap, no side effects),
/// but a failure only counts on an active row: the right side of AND/OR, CASE branches and later COALESCE arguments
/// run with the mask of rows that actually need them, so <c>b &lt;&gt; 0 AND a / b &gt; 1</c> never fails.
/// </summary>
internal sealed class EvalContext(RecordBatch batch, int columnCount, List<RowError>? errors)
{
    private readonly Vec?[] _columns = new Vec?[columnCount];

    public RecordBatch Batch { get; } = batch;

    public int Length { get; } = batch.Length;

    /// <summary>Rows whose result must be null because something failed on them; null while nothing failed.</summary>
    public bool[]? Failed { get; private set; }

    /// <summary>Rows evaluated for real; null means all.</summary>
    public bool[]? Active { get; set; }

    public Vec Column(int slot, Func<Vec> read) => _columns[slot] ??= read();

    public void Fail(int row, string message)
    {
        if (Active is not null && !Active[row]) return;
        Failed ??= new bool[Length];
        if (Failed[row]) return;
        Failed[row] = true;
        errors?.Add(new RowError(row, message));
    }

    /// <summary>Runs <paramref name="evaluate"/> with only the rows both active now and set in <paramref name="rows"/> active.</summary>
    public Vec Within(bool[] rows, Kernel evaluate)
    {
        var saved = Active;
        if (saved is not null)
            for (int i = 0; i < rows.Length; i++) rows[i] &= saved[i];
        Active = rows;
        try { return evaluate.Evaluate(this); }
        finally { Active = saved; }
    }
}
