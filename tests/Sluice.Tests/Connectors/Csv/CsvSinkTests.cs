using System.Globalization;
using System.Text;
using Sluice.Configuration;
using Sluice.Connectors.Csv;
using Sluice.Pipelines;
using Sluice.Tests.Connectors.Files;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Connectors.Csv;

public class CsvSinkTests
{
    [Fact]
    public async Task Writes_rfc_4180_with_a_header_and_quotes_only_where_needed()
    {
        using var dir = new TempDir();

        var published = await SinkRows.WriteAsync("csv", dir.Path, [SinkRows.Sample.Take(4).ToList()]);

        byte[] bytes = File.ReadAllBytes(published.Single());
        Assert.Equal((byte)'f', bytes[0]); // no byte-order mark
        Assert.Equal(
            "flag,count,ratio,price,name,day,at\n" +
            "true,42,1.5,12.3400,plain,2024-02-29,2024-02-29T13:45:06.123456Z\n" +
            "false,-9223372036854775808,-0.1,-99999999.9999,\"quote \"\" comma , semi ; \r\n crlf é 😀\",1969-12-31,1969-12-31T23:59:59.999999Z\n" +
            ",,,,,,\n" +
            "true,9223372036854775807,NaN,0.0000,\"\",0001-01-01,1970-01-01T00:00:00.000000Z\n",
            Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public async Task Delimiter_and_header_options_are_honoured()
    {
        using var dir = new TempDir();
        await using var sink = new CsvSinkOptions { Path = "out", Delimiter = ';', Header = false }
            .CreateSink(SinkRows.Schema, new BuildContext(dir.Path, "run1"));
        await sink.WriteAsync(SinkRows.ToBatch([SinkRows.Sample[1]]), SinkRows.Context(), default);
        await sink.CompleteAsync(default);

        Assert.Equal(
            "false;-9223372036854775808;-0.1;-99999999.9999;\"quote \"\" comma , semi ; \r\n crlf é 😀\";1969-12-31;1969-12-31T23:59:59.999999Z\n",
            File.ReadAllText(sink.Published.Single()));
    }

    [Fact]
    public void Spec_binds_options_and_rejects_unusable_delimiters()
    {
        var loc = new SourceLocation("p.yaml", 4, 14);
        ConfigNode Map(params (string Key, string Value)[] entries) =>
            ConfigNode.Map(loc, entries.Select(e => KeyValuePair.Create(e.Key, ConfigNode.Scalar(loc, e.Value))).ToList());

        var bound = (CsvSinkOptions)CsvSinkOptions.Spec.Bind(Map(("path", "out"), ("delimiter", "\t"), ("header", "false")));
        var defaults = (CsvSinkOptions)CsvSinkOptions.Spec.Bind(Map(("path", "out")));

        Assert.Equal(('\t', false), (bound.Delimiter, bound.Header));
        Assert.Equal((',', true, 1_000_000L), (defaults.Delimiter, defaults.Header, defaults.MaxRowsPerFile));
        foreach (string bad in new[] { ";;", "\"", "\n", "§", "" })
        {
            var error = Assert.Throws<PipelineException>(() => CsvSinkOptions.Spec.Bind(Map(("path", "out"), ("delimiter", bad))));
            Assert.Equal(loc, error.Diagnostics.Single().Location);
        }
    }

    /// <summary>Parses a CSV part file (RFC 4180, comma, header) into rows of CLR values: an unquoted empty field
    /// is null, a quoted one is an empty string.</summary>
    internal static List<object?[]> Read(string path)
    {
        var records = Parse(File.ReadAllText(path));
        Assert.Equal(SinkRows.Schema.FieldsList.Select(f => f.Name), records[0]);
        return records.Skip(1).Select(fields => fields.Select((f, i) => f is null ? null : Value(f, i)).ToArray()).ToList();
    }

    private static object Value(string text, int column) => column switch
    {
        0 => bool.Parse(text),
        1 => long.Parse(text, CultureInfo.InvariantCulture),
        2 => double.Parse(text, CultureInfo.InvariantCulture),
        3 => decimal.Parse(text, CultureInfo.InvariantCulture),
        4 => text,
        5 => DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture),
        _ => DateTime.ParseExact(text, "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
    };

    private static List<string?[]> Parse(string text)
    {
        var records = new List<string?[]>();
        var fields = new List<string?>();
        var field = new StringBuilder();
        bool quoted = false;
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (c == '"' && field.Length == 0 && !quoted)
            {
                quoted = true;
                i++;
                while (!(text[i] == '"' && (i + 1 == text.Length || text[i + 1] != '"')))
                {
                    field.Append(text[i]);
                    i += text[i] == '"' ? 2 : 1;
                }
                i++; // closing quote
                Assert.True(i == text.Length || text[i] is ',' or '\n', $"text after a closing quote at {i}");
            }
            else if (c is ',' or '\n')
            {
                fields.Add(field.Length == 0 && !quoted ? null : field.ToString());
                field.Clear();
                quoted = false;
                if (c == '\n')
                {
                    records.Add([.. fields]);
                    fields.Clear();
                }
                i++;
            }
            else
            {
                Assert.NotEqual('\r', c); // a bare CR must have been quoted
                field.Append(c);
                i++;
            }
        }
        Assert.True(fields.Count == 0 && field.Length == 0, "the last record must end with LF");
        return records;
    }
}
