using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Sluice.Bench.Micro;

// --quick: one cold iteration per case, in this process (no generated project to build), for smoke tests.
bool quick = args.Contains("--quick");
args = args.Where(a => a != "--quick").ToArray();
if (!args.Contains("--filter"))
{
    args = [.. args, "--filter", "*"]; // never stop at BenchmarkDotNet's interactive menu
}

var job = quick
    ? Job.Dry.WithToolchain(InProcessEmitToolchain.Instance)
    // 10 iterations rather than up to 100 keep the whole suite near 4 minutes.
    : Job.Default.WithWarmupCount(3).WithIterationCount(10);
var config = DefaultConfig.Instance
    // Under bin/ (git-ignored) rather than wherever the command was started.
    .WithArtifactsPath(Path.Combine(AppContext.BaseDirectory, "BenchmarkDotNet.Artifacts"))
    .AddJob(job.AsDefault())
    .AddColumn(PerRecordColumn.Time, PerRecordColumn.TimePerBatch, PerRecordColumn.Bytes);
BenchmarkSwitcher.FromAssembly(typeof(EngineBenchmarks).Assembly).Run(args, config);
