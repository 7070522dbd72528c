namespace Sluice.State;

/// <summary>Something a run said besides its counts, printed in its summary and by <c>sluice show</c>: that a
/// source skipped files already consumed, or a warning (a file changed in place since it was consumed).</summary>
public sealed record RunNote(string Stage, bool Warning, string Message)
{
    public override string ToString() => (Warning ? "warning: " : "") + $"{Stage}: {Message}";
}
