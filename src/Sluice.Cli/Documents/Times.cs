namespace Sluice.Cli.Documents;

/// <summary>Times as scripts want them: UTC, ISO 8601 with a <c>Z</c>.</summary>
internal static class Times
{
    public static DateTime Utc(DateTimeOffset time) => time.UtcDateTime;

    public static DateTime? Utc(DateTimeOffset? time) => time?.UtcDateTime;

    public static double? Seconds(TimeSpan? duration) => duration?.TotalSeconds;
}

