using Apache.Arrow;
using Sluice.Pipelines;

namespace Sluice.Transforms;

/// <summary>Finds columns by name for transforms, with errors that list the columns and suggest the closest one.</summary>
internal static class ColumnNames
{
    public static int IndexOf(Schema schema, string name, SourceLocation? location, string what)
    {
        int index = schema.GetFieldIndex(name);
        if (index < 0)
        {
            throw new PipelineException(location, Unknown(schema, name, what));
        }
        return index;
    }

    public static string Unknown(Schema schema, string name, string what)
    {
        var names = schema.FieldsList.Select(f => f.Name).ToList();
        string? closest = names.MinBy(n => Distance(n, name));
        string hint = closest is not null && Distance(closest, name) <= Math.Max(2, name.Length / 3) ? $" (did you mean '{closest}'?)" : "";
        return $"{what}: unknown column '{name}'{hint}; columns are: {string.Join(", ", names)}";
    }

    /// <summary>Levenshtein distance, for "did you mean" hints.</summary>
    public static int Distance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (int i = 1; i <= a.Length; i++)
        {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }
}
