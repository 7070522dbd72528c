using System.Text.RegularExpressions;

namespace Sluice.Dashboard.Pages;

/// <summary>
/// The engine keeps secrets out of what it stores (http headers' <c>${env:…}</c> values are never in a message or
/// state row), but a run's error or a letter's message can quote a driver's exception, and some quote a connection
/// string. So what the dashboard shows of them has the values of password-like keys blanked. A letter's original
/// bytes are data, shown as they are.
/// </summary>
internal static partial class Redact
{
    public static string? Secrets(string? text) => text is null ? null : SecretValue().Replace(text, "$1$2***");

    [GeneratedRegex(@"(?i)\b(password|pwd|passwd|secret|api[_-]?key|access[_-]?token)(\s*[=:]\s*)[^;,\s""']+")]
    private static partial Regex SecretValue();
}
