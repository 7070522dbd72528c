using System.Globalization;

namespace Sluice.CrashHarness.Flows;

/// <summary>
/// The files of a flow trial's folder: <c>flow.yaml</c>, the pipeline file its pipeline task runs and
/// <c>task.sh</c>, which every command task runs. The flow: <c>prepare</c> (a command) → <c>load</c> (the pipeline:
/// csv → contract → filter → jsonl, a checkpoint every few thousand records, its paths given by <c>params:</c>) and
/// <c>sum</c> (a command mapped over the input files, 3 at a time, each replacing its own output at once) →
/// <c>flaky</c> (a command that fails its first attempt in each process, with retries) → <c>total</c> (a command
/// adding up the sums and the pipeline's records_written into its JSON result). Every command notes
/// <c>START</c>/<c>END</c> (or <c>FAIL</c>) lines in <c>ledger.txt</c> (see <see cref="LedgerLine"/>).
/// </summary>
internal static class FlowLayout
{
    public const string FlowFile = "flow.yaml";
    public const string InputFolder = "in";
    public const string OutputFolder = "out";
    public const string SumsFolder = "sums";
    public const string LedgerFile = "ledger.txt";

    public const string Prepare = "prepare";
    public const string Load = "load";
    public const string Sum = "sum";
    public const string Flaky = "flaky";
    public const string Total = "total";

    public static IReadOnlyList<string> Tasks { get; } = [Prepare, Load, Sum, Flaky, Total];

    /// <summary>The file <c>sum</c>'s instance for <paramref name="inputFile"/> (a name in in/) writes.</summary>
    public static string SumFile(string inputFile) => Path.Combine(SumsFolder, Path.ChangeExtension(inputFile, ".txt"));

    public static void Write(string folder, int everyRecords, int maxRowsPerFile)
    {
        File.WriteAllText(Path.Combine(folder, FlowFile), Flow);
        File.WriteAllText(Path.Combine(folder, "pipeline.yaml"), Pipeline(everyRecords, maxRowsPerFile));
        File.WriteAllText(Path.Combine(folder, "task.sh"), TaskScript);
    }

    private const string Flow = $$"""
        name: crash-flow
        tasks:
          {{Prepare}}:
            command: [bash, task.sh, {{Prepare}}]
          {{Load}}:
            pipeline: pipeline.yaml
            params: { input: "{{InputFolder}}/*.csv", output: {{OutputFolder}} }
            depends_on: [{{Prepare}}]
          {{Sum}}:
            command: [bash, task.sh, {{Sum}}]
            map: { glob: "{{InputFolder}}/*.csv", parallel: 3 }
            depends_on: [{{Prepare}}]
          {{Flaky}}:
            command: [bash, task.sh, {{Flaky}}]
            retries: { count: 3, delay: 200ms, jitter: false }
            depends_on: [{{Sum}}]
          {{Total}}:
            command: [bash, task.sh, {{Total}}, "${tasks.{{Load}}.records_written}"]
            depends_on: [{{Load}}, {{Sum}}, {{Flaky}}]

        """;

    /// <summary>The run mode's jsonl pipeline (<see cref="Scenario"/>'s contract and filter, so that
    /// <see cref="Verifier"/> checks its output and dead letters as it does there), its paths filled in by the task.</summary>
    private static string Pipeline(int everyRecords, int maxRowsPerFile) => string.Create(CultureInfo.InvariantCulture, $$"""
        name: crash-flow-load
        checkpoint: { every_records: {{everyRecords}} }
        source: { type: csv, path: "${params.input}" }
        contract:
          fields:
            id: { type: int64, required: true }
            grp: { type: int64, required: true }
            amount: { type: int64 }
            name: { type: string, required: true }
        transforms:
          - filter: grp != 0
        sink: { type: jsonl, path: "${params.output}", max_rows_per_file: {{maxRowsPerFile}} }

        """);

    /// <summary>Commands are programs, not shell lines, and the flow file would read <c>${…}</c> as its own: one script
    /// serves them all. The pause makes kills land inside commands as well as between them.</summary>
    private const string TaskScript = """
        #!/usr/bin/env bash
        # One command task of the crash harness's flow ($1 says which). Each notes lines in ledger.txt:
        # "START|END|FAIL <task> <item or -> <flow run> <attempt> <ns since the epoch>"; one short append is one atomic write.
        set -euo pipefail
        note() { echo "$1 $SLUICE_TASK ${SLUICE_ITEM:--} $SLUICE_FLOW_RUN $SLUICE_ATTEMPT $(date +%s%N)" >> ledger.txt; }
        note START
        sleep 0.1
        case "$1" in
          prepare)
            mkdir -p sums markers
            ls in/*.csv | wc -l | awk '{ printf "{\"files\": %d}\n", $1 }' > "$SLUICE_RESULT" ;;
          sum) # data lines and the sum of the integer amounts (3rd field) of one file, replaced at once: idempotent
            out="sums/$(basename "$SLUICE_ITEM" .csv).txt"
            awk -F, 'NR > 1 { rows++ } NR > 1 && $3 ~ /^-?[0-9]+$/ { amount += $3 } END { printf "%d %.0f\n", rows, amount }' "$SLUICE_ITEM" > "$out.tmp.$$"
            mv "$out.tmp.$$" "$out" ;;
          flaky) # fails its first attempt in each sluice process ($PPID), so that retries happen in resumed runs too
            if [ ! -e "markers/$PPID" ]; then touch "markers/$PPID"; note FAIL; exit 1; fi ;;
          total)
            awk -v written="$2" '{ files++; rows += $1; amount += $2 } END { printf "{\"files\": %d, \"rows\": %d, \"amount\": %.0f, \"written\": %s}\n", files, rows, amount, written }' sums/*.txt > "$SLUICE_RESULT" ;;
        esac
        note END

        """;
}
