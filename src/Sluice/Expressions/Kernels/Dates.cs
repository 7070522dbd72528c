using Sluice.Records;

namespace Sluice.Expressions.Kernels;

/// <summary>Date parts as int64. year/month/day read a date (days since the epoch); hour/minute a timestamp (µs, UTC).</summary>
internal static class Dates
{
    private const long MicrosPerHour = 3_600_000_000;
    private const long MicrosPerMinute = 60_000_000;

    public static Kernel Year(Kernel d) => Part(d, days => Civil(days).Year);

    public static Kernel Month(Kernel d) => Part(d, days => Civil(days).Month);

    public static Kernel Day(Kernel d) => Part(d, days => Civil(days).Day);

    public static Kernel Hour(Kernel ts) => new FunctionKernel(FieldType.Int64, [ts],
        (v, _) => VecOps.Map((Vec<long>)v[0], us => TimeOfDay(us) / MicrosPerHour));

    public static Kernel Minute(Kernel ts) => new FunctionKernel(FieldType.Int64, [ts],
        (v, _) => VecOps.Map((Vec<long>)v[0], us => TimeOfDay(us) / MicrosPerMinute % 60));

    private static Kernel Part(Kernel d, Func<int, long> part) =>
        new FunctionKernel(FieldType.Int64, [d], (v, _) => VecOps.Map((Vec<int>)v[0], part));

    private static long TimeOfDay(long micros)
    {
        long r = micros % Conversions.MicrosPerDay;
        return r < 0 ? r + Conversions.MicrosPerDay : r;
    }

    /// <summary>
    /// Proleptic Gregorian date of a day number, valid for any int (unlike DateOnly, limited to years 1–9999).
    /// Howard Hinnant's civil_from_days.
    /// </summary>
    internal static (long Year, long Month, long Day) Civil(int days)
    {
        long z = days + 719_468L;
        long era = (z >= 0 ? z : z - 146_096) / 146_097;
        long doe = z - era * 146_097;
        long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        long day = doy - (153 * mp + 2) / 5 + 1;
        long month = mp < 10 ? mp + 3 : mp - 9;
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day);
    }
}
