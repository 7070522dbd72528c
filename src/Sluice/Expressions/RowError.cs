namespace Sluice.Expressions;

/// <summary>One row whose evaluation failed (division by zero, integer overflow, failed CAST); its result is null.</summary>
/// <param name="Row">0-based row index inside the evaluated batch.</param>
internal readonly record struct RowError(int Row, string Message);
