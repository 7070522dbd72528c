using System.IO.Compression;
using System.Text;

namespace Sluice.Cli.Tests.Hostile;

/// <summary>The hostile inputs, kept small: each is a few lines written by code, so the corpus needs no binary files
/// in the repository and every case says in one place what it feeds and what it expects.</summary>
public static class HostileCorpus
{
    public static string StateFile(string dir) => Path.Combine(dir, "state.db");

    /// <summary>A CSV → contract → JSON Lines pipeline over <c>in/*</c> (<paramref name="glob"/>), whose contract
    /// demands an int64 id and a lower-case word.</summary>
    private static string Pipeline(string glob = "in/*.csv", string pattern = "^[a-z]*$", string transforms = "") => $$"""
        name: hostile
        source: { type: csv, path: "{{glob}}" }
        contract:
          fields:
            id: { type: int64, required: true }
            word: { type: string, pattern: '{{pattern}}' }
        {{transforms}}
        sink: { type: jsonl, path: out }
        """;

    private static string[] Run => ["run", "{dir}/pipeline.yaml", "--state", "{dir}/state.db"];

    private static string[] Validate => ["validate", "{dir}/pipeline.yaml"];

    private static void Write(string dir, string file, string text) => Write(dir, file, Encoding.UTF8.GetBytes(text));

    private static void Write(string dir, string file, byte[] bytes)
    {
        string path = Path.Combine(dir, file);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
    }

    private static byte[] Bytes(params object[] parts) =>
        parts.SelectMany(p => p is string s ? Encoding.UTF8.GetBytes(s) : (byte[])p).ToArray();

    private static byte[] Gzip(string text)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }
        return buffer.ToArray();
    }

    private static string Nested(int depth, string open, string inner, string close) =>
        string.Concat(Enumerable.Repeat(open, depth)) + inner + string.Concat(Enumerable.Repeat(close, depth));

    private static HostileCase Data(string name, Action<string> input, long[] good, string? pipeline = null) => new(name, dir =>
    {
        Write(dir, "pipeline.yaml", pipeline ?? Pipeline());
        input(dir);
    }, Run, ExitCodes.Ok, good);

    private static HostileCase Config(string name, string pipeline, string[]? args = null, bool ownProcess = false) => new(name, dir =>
    {
        Write(dir, "pipeline.yaml", pipeline);
        Write(dir, "in/a.csv", "id,word\n1,a\n");
    }, args ?? Validate, ExitCodes.Invalid, OwnProcess: ownProcess);

    public static IEnumerable<HostileCase> All =>
    [
        // Broken records cost only themselves.
        Data("broken CSV records: stray quote, invalid UTF-8, NUL, too many fields", dir => Write(dir, "in/a.csv", Bytes(
            "id,word\n1,a\n2,\"unterminated\n3,c\n4,", new byte[] { 0xFF, 0xFE }, "\n5,e\0e\n6,f,extra\n7,g\n")), [1, 3, 7]),
        Data("a value built to make a backtracking regex explode", dir => Write(dir, "in/a.csv",
            $"id,word\n1,aaa\n2,{new string('a', 20_000)}!\n3,a\n"), [1, 3], Pipeline(pattern: "^(a+)+$")),
        Data("empty and header-only files beside a good one", dir =>
        {
            Write(dir, "in/a.csv", "");
            Write(dir, "in/b.csv", "id,word\n");
            Write(dir, "in/c.csv", "id,word\n1,a\n2,b\n");
        }, [1, 2]),
        Data("a 4 MB record, over max_record_bytes (1 MiB): a dead letter", dir => Write(dir, "in/a.csv",
            $"id,word\n1,{new string('x', 4 << 20)}\n2,b\n"), [2]),
        Data("numbers: 1e400, NaN and a 30-digit id", dir => Write(dir, "in/a.csv",
            "id,word\n1e400,a\nNaN,b\n123456789012345678901234567890,c\n4,d\n"), [4]),
        Data("CRLF, a BOM and a missing final newline", dir => Write(dir, "in/a.csv", Bytes(new byte[] { 0xEF, 0xBB, 0xBF }, "id,word\r\n1,a\r\n2,b")), [1, 2]),

        // A file that cannot be read costs only itself: one dead letter, the other files published.
        Data("a gzip file in a *.csv glob is read; a corrupt one is one dead letter", dir =>
        {
            Write(dir, "in/a.csv", "id,word\n1,a\n");
            Write(dir, "in/b.csv", Gzip("id,word\n2,b\n3,c\n"));
            byte[] broken = Gzip("id,word\n" + string.Concat(Enumerable.Range(100, 2000).Select(i => $"{i},x\n")));
            broken[broken.Length / 2] ^= 0xFF;
            Write(dir, "in/c.csv", broken);
        }, [1, 2, 3]),
        Data("a UTF-16 file without encoding: utf-16, and a binary file", dir =>
        {
            Write(dir, "in/a.csv", "id,word\n1,a\n");
            Write(dir, "in/b.csv", [0xFF, 0xFE, .. Encoding.Unicode.GetBytes("id,word\n2,b\n")]);
            Write(dir, "in/c.csv", Bytes("PK", new byte[] { 3, 4, 0, 0, 0, 0, 1, 2 }));
            Write(dir, "in/d.csv", "id,word\n4,d\n");
        }, [1, 4]),
        Data("a CSV whose header differs from the first file's", dir =>
        {
            Write(dir, "in/a.csv", "id,word\n1,a\n");
            Write(dir, "in/b.csv", "word,id\nb,2\n");
            Write(dir, "in/c.csv", "id,word\n3,c\n");
        }, [1, 3]),
        new("a CSV header naming a column twice", dir =>
        {
            Write(dir, "pipeline.yaml", Pipeline());
            Write(dir, "in/a.csv", "id,word,id\n1,a,2\n");
        }, Run, ExitCodes.Invalid),

        // Pipeline files that are not pipelines: exit 2, one clear error each.
        Config("a YAML syntax error", "name: x\nsource: { type: csv, path: [\n"),
        Config("an empty pipeline file", ""),
        Config("a binary pipeline file", "\u0001\u0002\u0000PK\u0003\u0004"),
        Config("a pattern that needs backtracking", Pipeline(pattern: "^(?=a)a$")),
        Config("an unknown column and an expression syntax error", Pipeline(transforms: "transforms:\n  - filter: nosuch > 1 AND (\n")),
        Config("a pattern refused also stops run", Pipeline(pattern: @"^(a)\1$"), Run),
        Config("5,000 nested parentheses", Pipeline(transforms: $"transforms:\n  - filter: {Nested(5_000, "(", "id > 0", ")")}\n"), Run, ownProcess: true),
        Config("10,000 + terms", Pipeline(transforms: $"transforms:\n  - derive:\n      total: {string.Join(" + ", Enumerable.Repeat("id", 10_000))}\n"),
            ownProcess: true),
        Config("3,000 nested CASE", Pipeline(transforms: $"transforms:\n  - derive:\n      c: {Nested(3_000, "CASE WHEN id > 0 THEN ", "1", " ELSE 0 END")}\n"),
            ownProcess: true),
        Config("a YAML file nested 100,000 levels deep", "name: x\nsource: " + Nested(100_000, "[", "1", "]") + "\n", ownProcess: true),
        Config("34 nested replaces doubling a constant (took 14 GB)", Pipeline(transforms: "transforms:\n  - derive:\n      r: "
            + Enumerable.Range(0, 34).Aggregate("'a'", (e, _) => $"replace({e}, 'a', 'aa')") + "\n"), ownProcess: true),
        Config("YAML aliases of aliases", Pipeline().Replace("word: {", "word: &w {") + "x: [*w, *w]\n"),
        Config("an expression that fails for every row", Pipeline(transforms: "transforms:\n  - derive:\n      x: id + 1/0\n")),
        Config("a sink writing into its own source's glob", Pipeline(glob: "**/*.jsonl").Replace("type: csv", "type: jsonl"), Run),
        new("a pipeline file that does not exist", _ => { }, ["validate", "{dir}/nope.yaml"], ExitCodes.Invalid),

        // Arguments.
        new("an unknown command", _ => { }, ["frobnicate"], ExitCodes.Invalid),
        new("an unknown option", _ => { }, ["runs", "--frobnicate"], ExitCodes.Invalid),
        new("a zero limit", _ => { }, ["runs", "--limit", "0", "--state", "{dir}/state.db"], ExitCodes.Invalid),
        new("a limit that is not a number", _ => { }, ["runs", "--limit", "abc", "--state", "{dir}/state.db"], ExitCodes.Invalid),
        new("a limit beyond int32", _ => { }, ["dlq", "list", "--limit", "99999999999", "--state", "{dir}/state.db"], ExitCodes.Invalid),
        new("a --since that overflows", _ => { }, ["dlq", "list", "--since", "99999999d", "--state", "{dir}/state.db"], ExitCodes.Invalid),

        // State files that are not state files.
        new("a state path that is a folder", dir => Directory.CreateDirectory(Path.Combine(dir, "folder")),
            ["runs", "--state", "{dir}/folder"], ExitCodes.Invalid),
        new("a state file that is not a database", dir => Write(dir, "state.db", "this is not SQLite"),
            ["runs", "--state", "{dir}/state.db"], ExitCodes.RunFailed),
    ];
}
