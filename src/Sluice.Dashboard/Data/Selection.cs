using System.Globalization;

namespace Sluice.Dashboard.Data;

/// <summary>Dead letters to replay or purge: hand-picked ids, or every letter a filter matches up to the newest
/// letter there was when the selection was confirmed (<see cref="Through"/>).</summary>
internal sealed record Selection(LetterFilter Filter, IReadOnlyList<long>? Ids, long? Through)
{
    public DeadLetterQuery Query => Filter.ToQuery() with { Ids = Ids, ThroughId = Through };

    public string Describe() => Ids is { } ids
        ? $"{ids.Count} selected dead letter{(ids.Count == 1 ? "" : "s")}"
        : Filter.Describe() + (Through is { } t ? $", up to letter {t}" : "");

    /// <summary>The selection a form (or query string) carries: <c>id</c> values (picked), else the filters.</summary>
    /// <param name="all">True for "all matching": the ids are ignored and a filter is required.</param>
    /// <exception cref="FormatException">Something in it is not valid, or nothing is selected.</exception>
    public static Selection From(Func<string, IReadOnlyList<string>> values, bool all)
    {
        var filter = LetterFilter.From(name => values(name).FirstOrDefault());
        long? through = values("through").FirstOrDefault() is { Length: > 0 } t
            ? long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out long n) ? n : throw new FormatException($"through takes a letter id, not '{t}'")
            : null;
        if (all)
        {
            return filter.IsEmpty
                ? throw new FormatException("set a filter first (a pipeline, say): replaying or purging every dead letter at once is refused")
                : new Selection(filter, null, through);
        }
        var ids = new List<long>();
        foreach (string text in values("id"))
        {
            ids.Add(long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long id) && id > 0
                ? id
                : throw new FormatException($"'{text}' is not a dead letter id"));
        }
        if (ids.Count == 0)
            throw new FormatException("no dead letter is selected: tick the letters first, or choose \"all matching\"");
        if (ids.Count > DeadLetterQuery.MaxIds)
            throw new FormatException($"{ids.Count} letters are selected; at most {DeadLetterQuery.MaxIds} at once (or choose \"all matching\" with a filter)");
        return new Selection(new LetterFilter(null, null, null, null, null, null, null), ids.Distinct().ToList(), null);
    }

    /// <summary>The selection as hidden-field pairs for the confirmation form.</summary>
    public IEnumerable<(string Name, string Value)> Pairs()
    {
        foreach (var pair in Filter.Pairs())
            yield return pair;
        foreach (long id in Ids ?? [])
            yield return ("id", id.ToString(CultureInfo.InvariantCulture));
        if (Through is { } t)
            yield return ("through", t.ToString(CultureInfo.InvariantCulture));
    }
}
