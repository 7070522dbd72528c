using Sluice.Connectors;
using Apache.Arrow;
using Sluice.Configuration;
using Sluice.Connectors.Http;
using Sluice.Connectors.Jsonl;
using Sluice.Execution;
using Sluice.Pipelines;

namespace Sluice;

/// <summary>
/// Options of the <c>http</c> source, which reads a paged JSON API with GET: each page's records are the objects of
/// the array at <see cref="Items"/>, and the next page's URL is the string at <see cref="Next"/> (the last page has
/// none). Values come out as strings for the contract to type, like the <c>jsonl</c> source's. Transient failures
/// (5xx, 408, 429, timeouts, broken connections) are retried per the pipeline's <c>resilience</c>.
/// </summary>
public sealed record HttpSourceOptions : ISourceOptions
{
    public required Uri Url { get; init; }

    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>Dot-separated path to the records array in a page; empty when the page is the array.</summary>
    public string Items { get; init; } = "";

    /// <summary>Dot-separated path to the next page's URL; null for a single page.</summary>
    public string? Next { get; init; }

    /// <summary>The columns, when no contract follows the source to name them.</summary>
    public IReadOnlyList<string>? Columns { get; init; }

    public static ComponentSpec Spec { get; } = new("http", StageKind.Source,
        "Reads a paged JSON API with GET: the records of each page are the objects of the array at `items`, the next page is the URL at `next`. A resumed run fetches again the page it stopped in and skips what it had read.",
        Shape.Object(
            new OptionSpec("url", Shape.String, "The first page (http or https).", Required: true, Example: "https://api.example.com/orders?page=1"),
            new OptionSpec("headers", Shape.MapOf(Shape.String),
                "Request headers; `${env:NAME}` in a value is replaced by that environment variable (never printed).",
                Example: "{ Authorization: \"Bearer ${env:API_TOKEN}\" }", Secret: true),
            new OptionSpec("items", Shape.String, "Dot-separated path to the records array in a page, e.g. `data` or `result.items`; empty when the page itself is the array.", Default: "\"\""),
            new OptionSpec("next", Shape.String, "Dot-separated path to the next page's URL in a page, e.g. `links.next`; a page without it (or with null) is the last. Without `next`, the source reads one page."),
            new OptionSpec("columns", Shape.ListOf(Shape.String), "The record keys to read, when no contract follows the source (a contract's fields are used otherwise).")),
        Bind,
        Example: "source:\n  type: http\n  url: https://api.example.com/orders\n  items: data\n  next: links.next");

    private static HttpSourceOptions Bind(ConfigNode node)
    {
        var uri = HttpOptionValues.Url(node);
        return new HttpSourceOptions
        {
            Url = uri,
            Headers = HttpOptionValues.Headers(node),
            Items = node.GetString("items") ?? "",
            Next = node.GetString("next"),
            Columns = node.GetStrings("columns"),
        };
    }

    public ISource CreateSource(BuildContext context)
    {
        var columns = JsonlSourceColumns.Declared(context.ReadHint, Columns)
            ?? throw new PipelineException(null, "the http source needs to know its columns: follow it with a contract, or list `columns`");
        return new HttpSource(this, SecretText.Resolve(Headers, context), columns, context.BatchRows(columns.Count), context.Resilience);
    }
}
