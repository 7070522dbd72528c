using System.Globalization;
using System.Security.Cryptography;

namespace Sluice.State;

/// <summary>Run ids: the UTC start second then random hex, e.g. <c>20250102-030405-a1b2c3</c>. They sort by start
/// time as text, read well in a terminal, and a short prefix is usually enough to name a run.</summary>
internal static class RunIds
{
    public static string New(DateTimeOffset startedAt) =>
        startedAt.UtcDateTime.ToString("yyyyMMdd-HHmmss-", CultureInfo.InvariantCulture)
        + RandomNumberGenerator.GetHexString(6, lowercase: true);
}
