namespace Sluice.Execution;

/// <summary>
/// Which failures are transient — worth trying again because the world may change (I/O, timeouts, networks) — as
/// opposed to permanent ones, which the same input will cause every time (bad data, a bug in a transform).
/// </summary>
/// <remarks>The default of <see cref="Pipelines.RetryPolicy.On"/>; poison isolation uses it to leave such failures
/// to the retry policy instead of blaming a record for them.</remarks>
public static class TransientErrors
{
    public static bool IsTransient(Exception error) => Pipelines.RetryOn.Default.Matches(error);
}
