using System.Globalization;

namespace Sluice.Configuration;

/// <summary>Durations in pipeline files and on the command line: a number and a unit, <c>250ms</c>, <c>10s</c>,
/// <c>5m</c>, <c>1h</c>, <c>7d</c>.</summary>
internal static class DurationText
{
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = default;
        string t = text.Trim();
        (string unit, double scale) = t.EndsWith("ms", StringComparison.Ordinal) ? ("ms", 1.0)
            : t.EndsWith('s') ? ("s", 1000.0)
            : t.EndsWith('m') ? ("m", 60_000.0)
            : t.EndsWith('h') ? ("h", 3_600_000.0)
            : t.EndsWith('d') ? ("d", 86_400_000.0)
            : ("", 0);
        if (unit.Length == 0 || !double.TryParse(t[..^unit.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            // Written so that NaN fails it too; TimeSpan throws (not returns false) beyond its range: 99999999d, NaNs.
            || !(value >= 0 && value * scale < TimeSpan.MaxValue.TotalMilliseconds))
        {
            return false;
        }
        duration = TimeSpan.FromMilliseconds(value * scale);
        return true;
    }

    /// <summary>The shortest text <see cref="TryParse"/> reads back as <paramref name="duration"/>: <c>30s</c>,
    /// <c>1h</c>, <c>1500ms</c>. Shown as an option's default in the generated docs.</summary>
    public static string Format(TimeSpan duration)
    {
        double ms = duration.TotalMilliseconds;
        foreach ((string unit, double scale) in (ReadOnlySpan<(string, double)>)[("d", 86_400_000.0), ("h", 3_600_000.0), ("m", 60_000.0), ("s", 1000.0)])
        {
            if (ms >= scale && ms % scale == 0)
            {
                return (ms / scale).ToString(CultureInfo.InvariantCulture) + unit;
            }
        }
        return ms.ToString(CultureInfo.InvariantCulture) + "ms";
    }
}
