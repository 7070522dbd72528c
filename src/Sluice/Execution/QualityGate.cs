using System.Globalization;
using Sluice.Pipelines;
using Sluice.State;

namespace Sluice.Execution;

/// <summary>Checks a finished run's dead letters against the pipeline's <see cref="DeadLetterPolicy"/>.</summary>
internal static class QualityGate
{
    /// <summary>Null when the run passes; otherwise one line saying which bound was broken and by how much.</summary>
    public static string? Check(DeadLetterPolicy policy, RunTotals totals)
    {
        var c = CultureInfo.InvariantCulture;
        if (policy.MaxCount is { } maxCount && totals.DeadLettered > maxCount)
        {
            return string.Format(c, "quality gate failed: {0:N0} records dead-lettered, more than max_count {1:N0}", totals.DeadLettered, maxCount);
        }
        if (policy.MaxRatio is { } maxRatio && totals.RecordsRead > 0)
        {
            double ratio = (double)totals.DeadLettered / totals.RecordsRead;
            if (ratio > maxRatio)
            {
                return string.Format(c, "quality gate failed: {0:N0} of {1:N0} records dead-lettered ({2:P2}), more than max_ratio {3:P2}",
                    totals.DeadLettered, totals.RecordsRead, ratio, maxRatio);
            }
        }
        return null;
    }
}
