using System.Globalization;

namespace Sluice.Expectations;

/// <summary>Ages and durations as people write them in pipeline files: <c>24h</c>, <c>90m</c>, <c>1h 30m</c>.</summary>
internal static class AgeText
{
    public static string Of(TimeSpan age)
    {
        if (age < TimeSpan.FromSeconds(1))
        {
            return string.Format(CultureInfo.InvariantCulture, "{0:0}ms", age.TotalMilliseconds);
        }
        var parts = new List<string>();
        long total = (long)age.TotalSeconds;
        (long h, long m, long s) = (total / 3600, total / 60 % 60, total % 60);
        if (h > 0) { parts.Add(h.ToString(CultureInfo.InvariantCulture) + "h"); }
        if (m > 0) { parts.Add(m.ToString(CultureInfo.InvariantCulture) + "m"); }
        if (s > 0 || parts.Count == 0) { parts.Add(s.ToString(CultureInfo.InvariantCulture) + "s"); }
        return string.Join(' ', parts);
    }
}
