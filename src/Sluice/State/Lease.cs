namespace Sluice.State;

/// <summary>
/// The right to run a pipeline against a state store, held by one process until <see cref="ExpiresAt"/> unless
/// renewed. <see cref="Epoch"/> is the fencing token: it grows by one each time the lease changes hands (or is
/// taken again after it expired), and every checkpoint commit checks it, so a holder that was paused past its
/// expiry cannot commit over its successor.
/// </summary>
/// <param name="Holder">Identifies one process: a restarted process must use a new holder id.</param>
public sealed record Lease(string Pipeline, string Holder, long Epoch, DateTimeOffset ExpiresAt);
