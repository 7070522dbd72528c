using Sluice.Execution;
namespace Sluice.Extensibility;

/// <summary>
/// A transform whose output depends on what it saw before (e.g. <c>dedupe</c>). Its state is saved with every
/// checkpoint (at the barrier, so it matches the source positions) and restored when a run resumes.
/// </summary>
public interface IStatefulTransform : ITransform
{
    byte[] SaveState();

    /// <summary>Replaces the state with one <see cref="SaveState"/> returned (called before any batch).</summary>
    void RestoreState(byte[] state);
}
