using Sluice.DeadLetters;
using Sluice.Execution;
using Sluice.Expressions;
using Sluice.Records;

namespace Sluice.Transforms;

/// <summary>Dead-letters the rows an expression failed on (division by zero, failed cast, overflow) as
/// <c>transform</c> errors and says which rows remain.</summary>
internal static class RowFailures
{
    /// <returns>A per-row flag, true for rows that failed; null when none did.</returns>
    public static bool[]? DeadLetter(Batch batch, List<RowError> errors, StageContext context, string? field)
    {
        if (errors.Count == 0)
        {
            return null;
        }
        var failed = new bool[batch.Length];
        foreach (var error in errors)
        {
            if (!failed[error.Row])
            {
                failed[error.Row] = true;
                context.DeadLetter(batch.Origins[error.Row], DeadLetterReason.Transform, field, "expression", error.Message);
            }
        }
        errors.Clear();
        return failed;
    }
}
