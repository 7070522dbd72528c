using System.Text;

namespace Sluice.TypedPipelines;

/// <summary>How a property's name becomes a column's name when no <see cref="ColumnAttribute"/> gives one.</summary>
internal static class ColumnNames
{
    /// <summary><c>Delay</c> → <c>delay</c>, <c>ArrivalTime</c> → <c>arrival_time</c>, <c>HTTPStatus</c> → <c>http_status</c>.</summary>
    public static string SnakeCase(string name)
    {
        var text = new StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            bool wordStarts = char.IsUpper(c) && i > 0 && name[i - 1] != '_'
                && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1])));
            if (wordStarts)
            {
                text.Append('_');
            }
            text.Append(char.ToLowerInvariant(c));
        }
        return text.ToString();
    }
}
