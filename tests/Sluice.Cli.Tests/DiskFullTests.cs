using System.Text;
using Sluice.Cli.Tests.TestSupport;

namespace Sluice.Cli.Tests;

/// <summary>
/// A file sink that runs out of room fails the run cleanly (no half file published, no retry of a half-written
/// batch), and once there is room again the next run resumes and writes every record exactly once. Running out of
/// room is a file-size limit on the child process (<c>ulimit -f</c>, with SIGXFSZ ignored so that writes fail with
/// EFBIG instead of killing it): no privileges needed, and it strikes mid-run, after some checkpoints committed.
/// </summary>
public sealed class DiskFullTests
{
    private const int Rows = 60_000;
    private const int ShortRows = 40_000; // then the names get long, and so do the part files

    [Fact]
    public async Task A_sink_out_of_room_fails_the_run_and_the_resumed_run_writes_each_record_once()
    {
        using var dir = new TempDir();
        var csv = new StringBuilder("id,name\n");
        for (int id = 0; id < Rows; id++)
            csv.Append(id).Append(',').Append(id < ShortRows ? "n" : new string('x', 200)).Append('\n');
        dir.Write("data/in.csv", csv.ToString());
        string file = dir.Write("pipeline.yaml", """
            name: full
            checkpoint: { every_records: 10000 }
            source: { type: csv, path: data/*.csv }
            contract:
              fields:
                id: { type: int64, required: true }
                name: { type: string }
            sink: { type: jsonl, path: out }
            """);
        string state = dir.File("state.db");

        var full = await RunWithFileSizeLimitAsync(kilobytes: 1024, "run", file, "--state", state);

        Assert.Equal(ExitCodes.RunFailed, full.ExitCode);
        Assert.Contains("error: stage 'sink' failed: Specified file length was too large", full.Stderr);
        var published = Ids(dir);
        Assert.InRange(published.Count, 10_000, ShortRows); // the checkpoints before the long rows stayed published
        Assert.Empty(Directory.GetFiles(dir.File("out"), "*.inprogress"));
        // The sink wrote more than the checkpoints published: the summary counts what is in the output apart.
        Assert.Matches($@"(?m)^published {published.Count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} of the [\d,]+ records out: ", full.Stdout);

        var resumed = await SluiceProcess.RunAsync("run", file, "--state", state);

        Assert.Equal(ExitCodes.Ok, resumed.ExitCode);
        Assert.Contains("resuming run", resumed.Stdout);
        Assert.Equal(Enumerable.Range(0, Rows).Select(i => (long)i), Ids(dir).Order());
    }

    /// <summary>The state file itself runs out of room in the middle of a flow (each task's output makes it grow):
    /// one line naming the file and saying to check the disk, not SQLite's "disk I/O error" without a path; with
    /// room again, the flow resumes and completes every task. The 1 MB limit lets the schema and a few tasks in (a
    /// limit hit while the schema is made rolls that step back, and there would be no flow run to resume).</summary>
    [Fact]
    public async Task A_state_file_out_of_room_mid_flow_is_named_in_one_line_and_the_flow_resumes_once_there_is_room()
    {
        using var dir = new TempDir();
        var flow = new StringBuilder("name: big\ntasks:\n");
        for (int i = 0; i < 300; i++)
            flow.Append($"  t{i}: {{ command: [bash, -c, \"head -c 2000 /dev/zero | tr '\\\\0' x; echo >> ran.log\"] }}\n");
        string file = dir.Write("flow.yaml", flow.ToString());
        string state = dir.File("state.db");

        var full = await RunWithFileSizeLimitAsync(kilobytes: 1024, "flow", "run", file, "--state", state);

        Assert.Equal(ExitCodes.RunFailed, full.ExitCode);
        Assert.Equal($"error: cannot read or write state file {state} (SQLite error 10: disk I/O error): check the disk (full? failing?) and the file; restore it from a backup if it stays unusable", full.Stderr.Trim());

        var resumed = await SluiceProcess.RunAsync("flow", "run", file, "--state", state);

        Assert.Equal(ExitCodes.Ok, resumed.ExitCode);
        Assert.Contains("resuming flow run", resumed.Stdout);
        Assert.InRange(File.ReadAllLines(dir.File("ran.log")).Length, 300, 300 + 8); // a task running at the failure ran again
    }

    private static List<long> Ids(TempDir dir) => JsonlOutput.Ids(dir.File("out"));

    /// <summary>SIGXFSZ ignored, so a write past the limit fails with EFBIG instead of killing the process; W^X off,
    /// because the runtime maps its code through a memfd it sizes far beyond any small file-size limit.</summary>
    private static Task<CliResult> RunWithFileSizeLimitAsync(int kilobytes, params string[] args) =>
        SluiceProcess.RunInShellAsync($"trap '' XFSZ; ulimit -f {kilobytes}",
            new Dictionary<string, string> { ["DOTNET_EnableWriteXorExecute"] = "0" }, args);
}
