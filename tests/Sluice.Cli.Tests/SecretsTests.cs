using System.Text;
using Sluice.Cli.Tests.TestSupport;

namespace Sluice.Cli.Tests;

/// <summary>A secret taken from the environment goes into requests and nowhere else: a canary value is searched
/// for in everything a failed run leaves behind — its output, errors, the state file, dead letters, and what
/// <c>runs</c>, <c>show</c>, <c>dlq</c> and <c>validate</c> print.</summary>
public sealed class SecretsTests
{
    private const string Canary = "canary-5f3a9e71-secret";

    [Fact]
    public async Task A_secret_from_the_environment_appears_in_no_output_error_state_or_dead_letter()
    {
        Environment.SetEnvironmentVariable("SLUICE_TEST_CANARY", Canary);
        using var dir = new TempDir();
        // The first file's good row is filtered out and its bad one dead-lettered, so checkpoint 1 commits a dead
        // letter before the second file's row reaches the (unreachable) receiver and fails the run.
        dir.Write("data/1.csv", "id,name\n1,a\nx,b\n");
        dir.Write("data/2.csv", "id,name\n101,c\n");
        string file = dir.Write("pipeline.yaml", """
            name: secret
            checkpoint: { every_records: 1 }
            source: { type: csv, path: data/*.csv }
            contract:
              fields:
                id: { type: int64, required: true }
                name: { type: string }
            transforms:
              - filter: id > 100
            sink:
              type: http
              url: http://127.0.0.1:1/ingest
              headers: { Authorization: "Bearer ${env:SLUICE_TEST_CANARY}", X-Api-Key: "${env:SLUICE_TEST_CANARY}" }
            resilience:
              retry: { attempts: 2, delay: 10ms }
            """);
        string state = dir.File("state.db");

        var run = await TestSupport.Sluice.RunAsync("run", file, "--state", state);
        string runId = System.Text.RegularExpressions.Regex.Match(run.Stdout, @"run (\d{8}-\d{6}-[0-9a-f]{6})").Groups[1].Value;
        var outputs = new List<CliResult>
        {
            run,
            await TestSupport.Sluice.RunAsync("validate", file),
            await TestSupport.Sluice.RunAsync("runs", "--state", state),
            await TestSupport.Sluice.RunAsync("show", runId, "--state", state),
            await TestSupport.Sluice.RunAsync("dlq", "list", "--state", state),
            await TestSupport.Sluice.RunAsync("dlq", "show", "1", "--state", state),
        };

        Assert.Equal(ExitCodes.RunFailed, run.ExitCode);
        Assert.Contains("error: stage 'sink' failed", run.Stderr); // it did fail where the secret was used
        Assert.Contains("stage sink: 1 retries, 0 timeouts, circuit opened 0× and closed 0×", run.Stdout); // and retried once
        Assert.Contains("x,b", outputs[^1].Stdout); // and it did keep a dead letter
        foreach (var output in outputs)
        {
            Assert.DoesNotContain(Canary, output.Stdout);
            Assert.DoesNotContain(Canary, output.Stderr);
        }
        foreach (string path in Directory.GetFiles(dir.Path, "*", SearchOption.AllDirectories).Where(p => p != file))
        {
            Assert.DoesNotContain(Canary, Encoding.UTF8.GetString(File.ReadAllBytes(path)));
        }
        Assert.True(File.Exists(state));
    }

    [Fact]
    public async Task Validate_checks_a_pipeline_without_its_secrets_and_run_refuses_to_start_without_them()
    {
        using var dir = new TempDir();
        dir.Write("data/a.csv", "id\n1\n");
        string file = dir.Write("pipeline.yaml", """
            name: unset
            source: { type: csv, path: data/*.csv }
            sink:
              type: http
              url: http://127.0.0.1:1/ingest
              headers: { Authorization: "Bearer ${env:SLUICE_TEST_NEVER_SET_7f3a}" }
            """);

        var validate = await TestSupport.Sluice.RunAsync("validate", file);
        var run = await TestSupport.Sluice.RunAsync("run", file, "--state", dir.File("state.db"));

        Assert.Equal(ExitCodes.Ok, validate.ExitCode); // CI checks pipeline files where the secrets are not
        Assert.Equal(ExitCodes.Invalid, run.ExitCode);
        Assert.Contains("header 'Authorization' needs the environment variable SLUICE_TEST_NEVER_SET_7f3a, which is not set", run.Stderr);
    }
}
