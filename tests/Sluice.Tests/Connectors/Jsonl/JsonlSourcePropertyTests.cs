using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using CsCheck;
using Sluice.Connectors.Jsonl;
using Sluice.Tests.TestSupport;

namespace Sluice.Tests.Connectors.Jsonl;

public class JsonlSourcePropertyTests
{
    private static readonly string[] Keys = ["a", "b", "c", "d", "e"];

    private static readonly Gen<string> Text = Gen.OneOf("a", "Z", "\"", "\\", "\n", "\t", "\u0001", "é", "€", "😀", "</>", "'", " ", "\u2028")
        .Array[0, 8].Select(string.Concat);

    private static readonly Gen<object?> Value = Gen.OneOf<object?>(
        Text.Select(s => (object?)s),
        Gen.Long.Select(l => (object?)l),
        Gen.Double.Where(double.IsFinite).Select(d => (object?)d),
        Gen.Bool.Select(b => (object?)b),
        Gen.Const(default(object)));

    private static readonly Gen<List<(string Key, object? Value)>> Record =
        Gen.Shuffle(Keys).SelectMany(keys => Gen.Int[0, Keys.Length].SelectMany(n => Value.Array[n].Select(values =>
            keys.Take(n).Zip(values).ToList())));

    [Fact]
    public void Records_written_one_per_line_read_back_as_their_texts()
    {
        Gen.Select(Record.List[0, 20], Gen.Bool).Sample((records, relaxed) =>
        {
            using var dir = new TempDir();
            var options = new JsonWriterOptions { Encoder = relaxed ? JavaScriptEncoder.UnsafeRelaxedJsonEscaping : null };
            using (var file = File.Create(dir.File("r.jsonl")))
            {
                foreach (var record in records)
                {
                    using (var writer = new Utf8JsonWriter(file, options))
                    {
                        Write(writer, record);
                    }
                    file.WriteByte((byte)'\n');
                }
            }

            var run = JsonlSourceTestRun.ReadAsync(dir.Path, new JsonlSourceOptions { Path = "r.jsonl", Columns = Keys }, batchSize: 7)
                .GetAwaiter().GetResult();

            Assert.Empty(run.DeadLetters);
            var read = run.Records();
            Assert.Equal(records.Count, read.Count);
            for (int i = 0; i < records.Count; i++)
            {
                foreach (string key in Keys)
                {
                    int at = records[i].FindIndex(kv => kv.Key == key);
                    AssertText(at < 0 ? null : records[i][at].Value, read[i][key]);
                }
            }
            run.AssertBalanced();
        }, iter: 200);
    }

    [Fact]
    public void Garbage_bytes_never_throw_and_every_record_is_emitted_or_dead_lettered()
    {
        var gen = Gen.Frequency((3, Gen.Byte), (1, Gen.OneOf((byte)'\n', (byte)'{', (byte)'}', (byte)'"', (byte)':', (byte)'a')))
            .Array[0, 300];
        gen.Sample(bytes => AssertBalancedRead(bytes), iter: 200);
    }

    [Fact]
    public void Mutated_valid_lines_never_throw_and_every_record_is_emitted_or_dead_lettered()
    {
        var valid = Record.List[1, 10].Select(records =>
        {
            using var stream = new MemoryStream();
            foreach (var record in records)
            {
                using (var writer = new Utf8JsonWriter(stream))
                {
                    Write(writer, record);
                }
                stream.WriteByte((byte)'\n');
            }
            return stream.ToArray();
        });
        var mutation = Gen.Select(Gen.Int[0, 2], Gen.Int[0, int.MaxValue], Gen.Byte);
        Gen.Select(valid, mutation.Array[1, 6]).Sample((bytes, mutations) =>
        {
            var list = bytes.ToList();
            foreach (var (kind, at, value) in mutations)
            {
                int index = at % (list.Count + 1);
                if (kind == 0 && index < list.Count) list[index] = value;
                else if (kind == 1) list.Insert(index, value);
                else if (index < list.Count) list.RemoveAt(index);
            }
            AssertBalancedRead([.. list]);
        }, iter: 300);
    }

    private static void AssertBalancedRead(byte[] bytes)
    {
        using var dir = new TempDir();
        dir.Write("g.jsonl", bytes);
        var run = JsonlSourceTestRun.ReadAsync(dir.Path, new JsonlSourceOptions { Path = "g.jsonl", Columns = Keys }, batchSize: 3)
            .GetAwaiter().GetResult();
        run.AssertBalanced();
        Assert.All(run.DeadLetters, d => Assert.Equal(d.Origin.Original.ToArray(),
            bytes.AsSpan(OriginViews.LineStart(bytes, d.Origin.Line), d.Origin.Original.Length).ToArray()));
    }

    private static void Write(Utf8JsonWriter writer, List<(string Key, object? Value)> record)
    {
        writer.WriteStartObject();
        foreach (var (key, value) in record)
        {
            switch (value)
            {
                case string s: writer.WriteString(key, s); break;
                case long l: writer.WriteNumber(key, l); break;
                case double d: writer.WriteNumber(key, d); break;
                case bool b: writer.WriteBoolean(key, b); break;
                default: writer.WriteNull(key); break;
            }
        }
        writer.WriteEndObject();
    }

    private static void AssertText(object? expected, string? actual)
    {
        switch (expected)
        {
            case null: Assert.Null(actual); break;
            case string s: Assert.Equal(s, actual); break;
            case long l: Assert.Equal(l.ToString(CultureInfo.InvariantCulture), actual); break;
            case double d: Assert.Equal(d, double.Parse(actual!, CultureInfo.InvariantCulture)); break;
            case bool b: Assert.Equal(b ? "true" : "false", actual); break;
        }
    }
}
