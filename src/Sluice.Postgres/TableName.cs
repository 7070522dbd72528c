using System.Text;
using System.Text.RegularExpressions;

namespace Sluice.Postgres;

/// <summary>
/// The <c>table</c> option: <c>table</c> or <c>schema.table</c>, read as PostgreSQL reads a name in SQL — an unquoted
/// part is folded to lower case (<c>Orders</c> is <c>orders</c>), a double-quoted one is kept as written
/// (<c>"Orders"</c>, with <c>""</c> for a quote inside). Without a schema, the table is looked up along the
/// connection's <c>search_path</c> (and created in its first schema).
/// </summary>
internal sealed partial record TableName(string? Schema, string Name)
{
    /// <summary>PostgreSQL's longest identifier in bytes; a longer one is silently cut short by the server.</summary>
    public const int MaxIdentifierBytes = 63;

    /// <summary>The name as SQL: each part quoted.</summary>
    public string Sql => Schema is null ? Quote(Name) : $"{Quote(Schema)}.{Quote(Name)}";

    /// <summary>The name as a user reads it: <c>public.orders</c>, parts quoted only where SQL would need it.</summary>
    public override string ToString() => Schema is null ? Display(Name) : $"{Display(Schema)}.{Display(Name)}";

    /// <summary>Parses the option; null with <paramref name="problem"/> set when it is not one or two names.</summary>
    public static TableName? TryParse(string text, out string? problem)
    {
        var parts = new List<string>();
        int i = 0;
        problem = null;
        while (true)
        {
            if (Part(text, ref i, out problem) is not { } part)
            {
                return null;
            }
            parts.Add(part);
            if (i == text.Length)
            {
                break;
            }
            if (text[i] != '.')
            {
                problem = $"unexpected '{text[i]}' at character {i + 1}; write table or schema.table, with \"double quotes\" around a name that has other characters than letters, digits and _";
                return null;
            }
            i++;
        }
        if (parts.Count > 2)
        {
            problem = "write table or schema.table: a name of another database (db.schema.table) is not supported, the connection names the database";
            return null;
        }
        return parts.Count == 1 ? new TableName(null, parts[0]) : new TableName(parts[0], parts[1]);
    }

    private static string? Part(string text, ref int i, out string? problem)
    {
        problem = null;
        string part;
        if (i < text.Length && text[i] == '"')
        {
            var quoted = new StringBuilder();
            i++;
            while (true)
            {
                if (i >= text.Length)
                {
                    problem = "a quoted name is not closed: add the \" that ends it";
                    return null;
                }
                if (text[i] == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        quoted.Append('"');
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                quoted.Append(text[i++]);
            }
            part = quoted.ToString();
        }
        else
        {
            var match = Unquoted().Match(text, i);
            if (!match.Success || match.Index != i)
            {
                problem = i >= text.Length
                    ? i == 0 ? "the name is empty; write table or schema.table" : "a name is missing after the '.'"
                    : $"'{text[i..]}' is not a name: an unquoted name has letters, digits, _ and $, not starting with a digit; put \"double quotes\" around any other";
                return null;
            }
            part = FoldAscii(match.Value); // as the server does in a UTF-8 database: only A-Z
            i += match.Length;
        }
        if (part.Length == 0)
        {
            problem = "an empty name (\"\")";
            return null;
        }
        return CheckLength(part, out problem) ? part : null;
    }

    /// <summary>Whether <paramref name="identifier"/> fits PostgreSQL's 63 bytes (a longer one would be cut short).</summary>
    public static bool CheckLength(string identifier, out string? problem)
    {
        int bytes = Encoding.UTF8.GetByteCount(identifier);
        problem = bytes > MaxIdentifierBytes
            ? $"'{identifier}' is {bytes} bytes long; PostgreSQL names have at most {MaxIdentifierBytes}"
            : null;
        return problem is null;
    }

    private static string FoldAscii(string text) => string.Create(text.Length, text, static (span, source) =>
    {
        for (int i = 0; i < source.Length; i++)
        {
            span[i] = source[i] is >= 'A' and <= 'Z' ? (char)(source[i] + ('a' - 'A')) : source[i];
        }
    });

    /// <summary>An identifier in double quotes, any quote in it doubled: safe to put in SQL whatever it holds.</summary>
    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string Display(string identifier) => Plain().IsMatch(identifier) ? identifier : Quote(identifier);

    [GeneratedRegex(@"[A-Za-z_\u0080-\uFFFF][A-Za-z0-9_$\u0080-\uFFFF]*")]
    private static partial Regex Unquoted();

    [GeneratedRegex("^[a-z_][a-z0-9_$]*$")]
    private static partial Regex Plain();
}
