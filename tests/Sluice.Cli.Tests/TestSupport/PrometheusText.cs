using System.Globalization;
using System.Text;

namespace Sluice.Cli.Tests.TestSupport;

/// <summary>One sample of a Prometheus text exposition: <c>name{label="value",…} value</c>.</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>Reads Prometheus' text format (version 0.0.4) as a scraper does: comments skipped, label values
/// unescaped (<c>\\</c>, <c>\"</c>, <c>\n</c>), an optional timestamp after the value ignored.</summary>
public static class PrometheusText
{
    public static async Task<IReadOnlyList<PrometheusSample>> ScrapeAsync(string url)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        return Parse(await client.GetStringAsync(url));
    }

    public static IReadOnlyList<PrometheusSample> Parse(string text)
    {
        var samples = new List<PrometheusSample>();
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            if (line.Length == 0 || line[0] == '#')
                continue;
            int i = 0;
            while (i < line.Length && line[i] != '{' && line[i] != ' ')
                i++;
            string name = line[..i];
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            if (i < line.Length && line[i] == '{')
                i = ReadLabels(line, i + 1, labels);
            string[] rest = line[i..].Trim().Split(' ');
            samples.Add(new PrometheusSample(name, labels, Number(rest[0])));
        }
        return samples;
    }

    /// <summary>Reads <c>key="value",…}</c> from <paramref name="i"/>; returns the index after the closing brace.</summary>
    private static int ReadLabels(string line, int i, Dictionary<string, string> labels)
    {
        while (line[i] != '}')
        {
            int equals = line.IndexOf('=', i);
            string key = line[i..equals].Trim();
            i = equals + 2; // past ="
            var value = new StringBuilder();
            for (; line[i] != '"'; i++)
            {
                if (line[i] == '\\')
                {
                    i++;
                    value.Append(line[i] == 'n' ? '\n' : line[i]);
                }
                else
                {
                    value.Append(line[i]);
                }
            }
            labels[key] = value.ToString();
            i++; // past the closing quote
            if (line[i] == ',')
                i++;
        }
        return i + 1;
    }

    private static double Number(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };
}
