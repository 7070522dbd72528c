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

    /// <summary>Edit distance counting a swap of two neighbours as one edit (optimal string alignment),
    /// for "did you mean" hints: <c>cvs</c> is one edit from <c>csv</c>.</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }
        return d[a.Length, b.Length];
    }
}
