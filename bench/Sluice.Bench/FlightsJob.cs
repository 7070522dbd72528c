namespace Sluice.Bench;

/// <summary>The one job every contender runs, so the numbers compare like with like: the contract, filter and
/// derived columns of bench/run.sh's pipeline file, which must agree with the constants here.</summary>
internal static class FlightsJob
{
    /// <summary>The input columns, in order; any other column is refused (the contract's <c>unknown_fields: reject</c>).</summary>
    public static readonly string[] Columns = ["date", "delay", "distance", "origin", "destination"];

    public const long DelayMin = -1440;
    public const long DelayMax = 5000;
    public const long DistanceMin = 1;

    /// <summary>The filter keeps <c>delay &gt; FilterDelayAbove</c>: about 94 % of the 3M flights.</summary>
    public const long FilterDelayAbove = -20;

    /// <summary>The derived <c>late</c> column is <c>delay &gt; LateAbove</c>.</summary>
    public const long LateAbove = 15;

    /// <summary>The contract's <c>pattern: ^[A-Z]{3}$</c>, checked on UTF-8 bytes.</summary>
    public static bool IsAirportCode(ReadOnlySpan<byte> value) =>
        value.Length == 3 && IsUpper(value[0]) && IsUpper(value[1]) && IsUpper(value[2]);

    private static bool IsUpper(byte b) => b is >= (byte)'A' and <= (byte)'Z';
}
