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

        // Pipeline files that are not pipelines: exit 2, one clear error each.
        Config("a YAML syntax error", "name: x\nsource: { type: csv, path: [\n"),
        Config("an empty pipeline file", ""),
        Config("a binary pipeline file", "\u0001\u0002\u0000PK\u0003\u0004"),
        Config("a pattern that needs backtracking", Pipeline(pattern: "^(?=a)a$")),
        Config("an unknown column and an expression syntax error", Pipeline(transforms: "transforms:\n  - filter: nosuch > 1 AND (\n")),
        Config("a pattern refused also stops run", Pipeline(pattern: @"^(a)\1$"), Run),
        new("a pipeline file that does not exist", _ => { }, ["validate", "{dir}/nope.yaml"], ExitCodes.Invalid),

        // Arguments.
        new("an unknown command", _ => { }, ["frobnicate"], ExitCodes.Invalid),
        new("an unknown option", _ => { }, ["runs", "--frobnicate"], ExitCodes.Invalid),
        new("a zero limit", _ => { }, ["runs", "--limit", "0", "--state", "{dir}/state.db"], ExitCodes.Invalid),
    ];
}
