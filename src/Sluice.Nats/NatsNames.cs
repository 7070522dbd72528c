namespace Sluice.Nats;

/// <summary>What NATS accepts as a stream or consumer name and as a subject.</summary>
internal static class NatsNames
{
    public static bool IsValidName(string name) =>
        name.Length > 0 && name.Length <= 255 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    public static bool IsValidSubject(string subject)
    {
        if (subject.Length == 0 || subject.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            return false;
        }
        var tokens = subject.Split('.');
        for (int i = 0; i < tokens.Length; i++)
        {
            string token = tokens[i];
            if (token.Length == 0 || (token.Length > 1 && token.Contains('*', StringComparison.Ordinal))
                || (token.Contains('>', StringComparison.Ordinal) && (token != ">" || i != tokens.Length - 1)))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>A durable name made of <paramref name="parts"/>: characters NATS refuses become '_'.</summary>
    public static string Durable(params string[] parts) =>
        string.Concat(string.Join("_", parts).Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_'));
}
