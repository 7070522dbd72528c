using System.Globalization;
using Sluice.Dashboard.Html;

namespace Sluice.Dashboard.Pages;

/// <summary>How figures read on the pages: the same spellings as the CLI's tables.</summary>
internal static class Show
{
    public static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    public static string Capped(long n, bool capped) => capped ? Count(n) + "+" : Count(n);

    public static string Utc(DateTimeOffset? time) =>
        time?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "";

    public static string Duration(TimeSpan? span) => span switch
    {
        null => "",
        { TotalSeconds: < 1 } s => $"{s.TotalMilliseconds:0} ms",
        { TotalMinutes: < 1 } s => $"{s.TotalSeconds:0.0} s",
        { TotalHours: < 1 } s => $"{(int)s.TotalMinutes} min {s.Seconds} s",
        var s => $"{(int)s.Value.TotalHours} h {s.Value.Minutes} min",
    };

    /// <summary>A state as a badge whose class colours it (the text says it too).</summary>
    public static Markup State(RunState state) =>
        H.Of($"""<span class="state state-{state.Word()}" data-testid="state">{state.Word()}</span>""");

    public static string Percent(double ratio) => ratio.ToString("0.##%", CultureInfo.InvariantCulture);

    /// <summary>Characters shown of an error or note: a driver's exception can quote a whole response body.</summary>
    public const int ErrorShown = 16 * 1024;

    /// <summary>At most <paramref name="max"/> characters of <paramref name="text"/>, saying how many were left out:
    /// a message can be megabytes (a driver quoting a whole payload), and fifty of them must not make the page so.</summary>
    public static string? Clip(string? text, int max)
    {
        if (text is null || text.Length <= max)
            return text;
        int cut = char.IsHighSurrogate(text[max - 1]) ? max - 1 : max; // never half a surrogate pair
        return $"{text[..cut]}… ({Count(text.Length - cut)} more characters)";
    }
}
