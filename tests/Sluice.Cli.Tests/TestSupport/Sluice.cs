namespace Sluice.Cli.Tests.TestSupport;

/// <summary>What one in-process <c>sluice</c> invocation returned and printed.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr);

/// <summary>Invokes the CLI in-process, capturing stdout and stderr, as a redirected (non-interactive) terminal.</summary>
public static class Sluice
{
    public static async Task<CliResult> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = await Cli.InvokeAsync(args, stdout, stderr, CancellationToken.None);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }
}
