using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Sluice.Postgres.Sink;

/// <summary>
/// Names of staging tables: <c>sluice_stage_{sink}_{run}_{attempt}_{unit}</c>, where <c>sink</c> is 8 hex digits of a
/// hash of the pipeline and stage names (so two sinks never share a name, and a run's leftovers can be found by prefix),
/// <c>run</c> the run id, <c>attempt</c> 6 random hex digits per sink instance (a resumed run numbers its units from 1
/// again: a name from before the crash is never reused, so a commit marker can never be mistaken for a new unit's)
/// and <c>unit</c> counts prepared units. At most 62 bytes: PostgreSQL cuts names past 63.
/// </summary>
internal sealed partial class StagingNames
{
    private const string Prefix = "sluice_stage_";
    private readonly string _sink;
    private readonly string _attempt;
    private int _unit;

    public StagingNames(string pipeline, string stage, string runId)
    {
        _sink = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{pipeline}\n{stage}")))[..8];
        RunPrefix = ForRun(runId);
        _attempt = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
    }

    /// <summary>What every staging table of this sink in this run starts with.</summary>
    public string RunPrefix { get; }

    /// <summary>What every staging table of this sink instance starts with (its attempt at the run).</summary>
    public string AttemptPrefix => $"{RunPrefix}{_attempt}_";

    /// <summary>The name of the next unit's staging table.</summary>
    public string Next() => AttemptPrefix + (++_unit).ToString("D6", CultureInfo.InvariantCulture);

    /// <summary>What every staging table of this sink in run <paramref name="runId"/> starts with. A run id that is not
    /// short, lower-case letters, digits and dashes (Sluice's are <c>20260520-101010-1a2b3c</c>) is hashed, so that one
    /// run's prefix is never the start of another's.</summary>
    public string ForRun(string runId) =>
        $"{Prefix}{_sink}_{(RunIdText().IsMatch(runId) ? runId : "r" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(runId)))[..16])}_";

    /// <summary>The run prefix of a staging table's name (a token), or null when it is not one of this sink's.</summary>
    public string? RunPrefixOf(string staging)
    {
        if (!staging.StartsWith($"{Prefix}{_sink}_", StringComparison.Ordinal))
        {
            return null;
        }
        int unit = staging.LastIndexOf('_');
        int attempt = unit > 0 ? staging.LastIndexOf('_', unit - 1) : -1;
        return attempt > Prefix.Length ? staging[..(attempt + 1)] : null;
    }

    [GeneratedRegex("^[a-z0-9-]{1,24}$")]
    private static partial Regex RunIdText();
}
