namespace Sluice.Tests.State;

/// <summary>A clock the test sets, so stored timestamps and run ids can be asserted exactly.</summary>
internal sealed class ManualTime(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}
