using System.Globalization;

namespace Sluice.Configuration;

/// <summary>Sizes in flow files and on the command line: a number and a unit, <c>512MB</c>, <c>1.5GB</c>, <c>64KB</c>
/// (powers of 1024, as memory is counted), or a plain number of bytes.</summary>
internal static class ByteSizeText
{
    public static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
        string t = text.Trim();
        (string unit, double scale) = Unit(t);
        if (!double.TryParse(t[..^unit.Length], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value)
            || !(value >= 0 && value * scale < long.MaxValue))
        {
            return false;
        }
        bytes = (long)(value * scale);
        return true;
    }

    /// <summary>How people read a size: <c>512 MB</c>, <c>1.5 GB</c>.</summary>
    public static string Format(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{(bytes / (double)(1L << 30)).ToString("0.#", CultureInfo.InvariantCulture)} GB",
        >= 1L << 20 => $"{(bytes / (double)(1L << 20)).ToString("0.#", CultureInfo.InvariantCulture)} MB",
        _ => $"{(bytes / 1024.0).ToString("0.#", CultureInfo.InvariantCulture)} KB",
    };

    private static (string Unit, double Scale) Unit(string text)
    {
        foreach (var (unit, scale) in (ReadOnlySpan<(string, double)>)[("TB", 1099511627776.0), ("GB", 1073741824.0), ("MB", 1048576.0), ("KB", 1024.0), ("B", 1.0)])
        {
            if (text.EndsWith(unit, StringComparison.OrdinalIgnoreCase))
            {
                return (unit, scale);
            }
        }
        return ("", 1.0);
    }
}
