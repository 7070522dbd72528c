namespace Sluice.CrashHarness.Services;

/// <summary>The names one services trial owns, so that trials sharing a Redis and a PostgreSQL never meet: its stream,
/// consumer, PostgreSQL schema (the target table, the sink's staging tables and its commit markers all live in it) and
/// pipeline. <paramref name="Key"/> is lower-case letters, digits and dashes.</summary>
internal sealed record TrialNames(string Key)
{
    public string Stream => $"crash-{Key}";

    public string Group => "crash";

    public string Consumer => $"harness-{Key}";

    public string Schema => "t_" + Key.Replace('-', '_');

    public string Table => $"{Schema}.events";

    public string Pipeline => $"crash-services-{Key}";
}
