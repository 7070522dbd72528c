using System.Globalization;
using System.Net.Http;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Sluice.Pipelines;

namespace Sluice;

/// <summary>
/// Which failures a stage tries again — the ones worth another try because the world may change by then. Written
/// in a pipeline file as a list of kinds: <c>io</c> (disk and file errors), <c>timeout</c> (a try that took too long),
/// <c>network</c> (a connection refused, reset or dropped), and HTTP statuses of the <c>http</c> source and sink,
/// one (<c>409</c>) or a class (<c>5xx</c>). Anything else is permanent: it fails the stage at once.
/// </summary>
public sealed record RetryOn
{
    /// <summary>I/O errors, timeouts, network errors, and HTTP 408, 429 and 5xx.</summary>
    public static RetryOn Default { get; } = new();

    /// <summary>The kinds a pipeline file may list (besides HTTP statuses such as <c>409</c> and <c>5xx</c>).</summary>
    public static IReadOnlyList<string> Kinds { get; } = ["io", "timeout", "network"];

    public bool Io { get; init; } = true;

    public bool Timeouts { get; init; } = true;

    public bool Network { get; init; } = true;

    /// <summary>HTTP statuses retried. The default is 408, 429 and 500–599.</summary>
    public IReadOnlySet<int> HttpStatuses { get; init; } = new HashSet<int>([408, 429, .. Enumerable.Range(500, 100)]);

    /// <summary>Whether <paramref name="error"/> is one of these failures (an aggregate when all of its are; a wrapper
    /// when what it wraps is).</summary>
    public bool Matches(Exception error) => error switch
    {
        HttpRequestException { StatusCode: { } status } => HttpStatuses.Contains((int)status),
        HttpRequestException or SocketException => Network,
        RegexMatchTimeoutException => false, // the same value times out again: it is the value, not the moment
        TimeoutException => Timeouts,
        IOException => Io,
        AggregateException { InnerExceptions.Count: > 0 } all => all.InnerExceptions.All(Matches),
        _ => error.InnerException is { } inner && Matches(inner),
    };

    /// <summary>Reads a list such as <c>[io, timeout, network, 408, 429, 5xx]</c>; null and a message naming the first
    /// item that is not a kind, a status or a status class.</summary>
    public static RetryOn? Parse(IEnumerable<string> items, out string? problem)
    {
        var on = new RetryOn { Io = false, Timeouts = false, Network = false, HttpStatuses = new HashSet<int>() };
        var statuses = new HashSet<int>();
        foreach (string item in items.Select(i => i.Trim().ToLowerInvariant()))
        {
            if (item == "io")
            {
                on = on with { Io = true };
            }
            else if (item == "timeout")
            {
                on = on with { Timeouts = true };
            }
            else if (item == "network")
            {
                on = on with { Network = true };
            }
            else if (item.Length == 3 && item[0] is >= '1' and <= '5' && item[1..] == "xx")
            {
                int first = (item[0] - '0') * 100;
                statuses.UnionWith(Enumerable.Range(first, 100));
            }
            else if (int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out int status) && status is >= 100 and <= 599)
            {
                statuses.Add(status);
            }
            else
            {
                problem = $"'{item}' is not a kind of failure: write io, timeout, network, an HTTP status (409) or a class of them (5xx)";
                return null;
            }
        }
        problem = null;
        return on with { HttpStatuses = statuses };
    }
}
