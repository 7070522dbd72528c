using System.Globalization;

namespace Sluice.CrashHarness;

/// <summary>A pipeline over a <see cref="DataSet"/>: csv source(s) → contract → filter <c>grp != 0</c> → one
/// file sink. <see cref="Union"/> reads the two halves of the files with two sources feeding the contract (the
/// graph form), so checkpoint barriers must align across the union's inputs.</summary>
internal sealed record Scenario(string Name, string Format, bool Union)
{
    public const string OutputFolder = "out";
    public const string PipelineFile = "pipeline.yaml";

    /// <summary>The scenarios random trials cycle through; <see cref="Jsonl"/> is also the one crash points use.</summary>
    public static IReadOnlyList<Scenario> All { get; } =
    [
        new("jsonl", "jsonl", Union: false),
        new("csv-union", "csv", Union: true),
        new("parquet", "parquet", Union: false),
    ];

    public static Scenario Jsonl => All[0];

    /// <summary>The stage that reads <paramref name="file"/> (a data file's name), which a dead letter the csv source
    /// made names, in the first run and in every replay of it.</summary>
    public string SourceStage(string file) => !Union ? "source" : file.StartsWith("a-", StringComparison.Ordinal) ? "left" : "right";

    private const string Contract = """
        fields:
              id: { type: int64, required: true }
              grp: { type: int64, required: true }
              amount: { type: int64 }
              name: { type: string, required: true }
        """;

    /// <summary>The contract fixed for the data's non-integer <c>grp</c> and <c>amount</c> values: both are strings
    /// now. The csv source's bad rows (a wrong field count) still fail, before any contract.</summary>
    private const string FixedContract = """
        fields:
              id: { type: int64, required: true }
              grp: { type: string, required: true }
              amount: { type: string }
              name: { type: string, required: true }
        """;

    /// <summary>Small files and frequent checkpoints, so that a kill lands between checkpoints and every checkpoint
    /// publishes several files (what the during-sink-commit crash point needs).</summary>
    public string Yaml(int everyRecords, int maxRowsPerFile) => Yaml(Contract, "grp != 0", everyRecords, maxRowsPerFile);

    /// <summary>The same pipeline (name, stages, paths) with the contract fixed (<see cref="FixedContract"/>) and the
    /// filter comparing the string <c>grp</c>: what a replay runs the dead letters through. A replay's checkpoints
    /// count letters, so <paramref name="everyRecords"/> is small to give it several.</summary>
    public string FixedYaml(int everyRecords, int maxRowsPerFile) => Yaml(FixedContract, "grp != '0'", everyRecords, maxRowsPerFile);

    private string Yaml(string contract, string filter, int everyRecords, int maxRowsPerFile)
    {
        string sink = string.Create(CultureInfo.InvariantCulture,
            $"{{ type: {Format}, path: {OutputFolder}, max_rows_per_file: {maxRowsPerFile} }}");
        string checkpoint = string.Create(CultureInfo.InvariantCulture, $"checkpoint: {{ every_records: {everyRecords} }}");
        if (!Union)
        {
            return $$"""
                name: crash-{{Name}}
                {{checkpoint}}
                source: { type: csv, path: data/*.csv }
                contract:
                  {{contract}}
                transforms:
                  - filter: {{filter}}
                sink: {{sink}}

                """;
        }
        return $$"""
            name: crash-{{Name}}
            {{checkpoint}}
            stages:
              - name: left
                source: { type: csv, path: data/a-*.csv }
              - name: right
                source: { type: csv, path: data/b-*.csv }
              - name: check
                from: [left, right]
                contract:
                  {{contract.Replace("\n", "\n    ", StringComparison.Ordinal)}}
              - name: keep
                filter: {{filter}}
              - name: write
                sink: {{sink}}

            """;
    }
}
