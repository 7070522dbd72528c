using System.Text;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Sluice.ServiceFixtures;

namespace Sluice.Nats.Tests.Source;

/// <summary>A server of its own that requires a user and password: what <c>sluice validate</c> and <c>run</c> say
/// about a wrong url, wrong credentials and a missing stream, and that the password is never printed or stored.</summary>
public sealed class CredentialsAndValidateTests : IAsyncLifetime, IDisposable
{
    private const string Password = "s3cret-nats-pw";
    private const string PasswordVariable = "SLUICE_TEST_NATS_PASSWORD";
    private readonly TempDir _dir = new();
    private NatsServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await NatsServer.StartAsync("loader", Password);
        await using var client = new NatsConnection(_server.ClientOptions);
        var js = new NatsJSContext(client);
        await js.CreateStreamAsync(new StreamConfig("ORDERS", ["orders.>"]) { Storage = StreamConfigStorage.File });
        for (int i = 1; i <= 20; i++)
        {
            (await js.PublishAsync("orders.new", Encoding.UTF8.GetBytes($$"""{"id":{{i}}}"""))).EnsureSuccess();
        }
        Environment.SetEnvironmentVariable(PasswordVariable, Password);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _dir.Dispose();

    private string PipelineFile(string url, string password = "${env:" + PasswordVariable + "}", string stream = "ORDERS") => _dir.Write("pipeline.yaml", $$"""
        name: nats-secret
        source:
          type: nats_jetstream
          url: "{{url}}"
          user: loader
          password: "{{password}}"
          stream: {{stream}}
          consumer: loader
        contract:
          fields:
            id: { type: int64, required: true }
        sink: { type: jsonl, path: out }
        """);

    private static void AssertOneLine(Cli.Tests.TestSupport.CliResult result, string expected)
    {
        Assert.Equal(2, result.ExitCode);
        string output = result.Stdout + result.Stderr;
        Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains(expected, StringComparison.Ordinal));
        Assert.DoesNotContain("   at ", output);
        Assert.DoesNotContain(Password, output);
    }

    [Fact]
    public async Task Validate_with_a_url_where_no_server_answers_is_one_line()
    {
        var result = await Cli.Tests.TestSupport.Sluice.RunAsync("validate", PipelineFile("nats://127.0.0.1:1"));

        AssertOneLine(result, "cannot connect to NATS at nats://127.0.0.1:1: no connection");
    }

    [Fact]
    public async Task Validate_with_a_wrong_password_is_one_line_that_does_not_print_it()
    {
        var result = await Cli.Tests.TestSupport.Sluice.RunAsync("validate", PipelineFile(_server.Url, password: "wrong-" + Password));

        AssertOneLine(result, $"cannot connect to NATS at {_server.Url}: authentication failed");
        Assert.DoesNotContain("wrong-" + Password, result.Stdout + result.Stderr);
    }

    [Fact]
    public async Task Validate_with_a_wrong_password_in_the_url_is_one_line_that_does_not_print_it()
    {
        string url = _server.Url.Replace("nats://", "nats://loader:bad-pw-in-url@", StringComparison.Ordinal);
        string pipeline = File.ReadAllText(PipelineFile(url)).Replace("  user: loader\n", "", StringComparison.Ordinal)
            .Replace($"  password: \"${{env:{PasswordVariable}}}\"\n", "", StringComparison.Ordinal);
        File.WriteAllText(_dir.File("pipeline.yaml"), pipeline);

        var result = await Cli.Tests.TestSupport.Sluice.RunAsync("validate", _dir.File("pipeline.yaml"));

        AssertOneLine(result, $"cannot connect to NATS at {_server.Url}: authentication failed");
        Assert.DoesNotContain("bad-pw-in-url", result.Stdout + result.Stderr);
    }

    [Fact]
    public async Task Validate_with_a_stream_that_does_not_exist_is_one_line()
    {
        var result = await Cli.Tests.TestSupport.Sluice.RunAsync("validate", PipelineFile(_server.Url, stream: "MISSING"));

        AssertOneLine(result, $"stream 'MISSING' does not exist at NATS at {_server.Url}");
    }

    [Fact]
    public async Task Validate_without_the_password_variable_checks_everything_but_the_server()
    {
        string pipeline = PipelineFile(_server.Url, password: "${env:SLUICE_TEST_NATS_UNSET}");

        var validate = await Cli.Tests.TestSupport.Sluice.RunAsync("validate", pipeline);
        var run = await Cli.Tests.TestSupport.Sluice.RunAsync("run", pipeline, "--state", _dir.File("state.db"));

        Assert.True(validate.ExitCode == 0, validate.Stderr + validate.Stdout);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("password needs the environment variable SLUICE_TEST_NATS_UNSET, which is not set", run.Stdout + run.Stderr);
    }

    [Fact]
    public async Task A_run_logged_in_with_a_password_from_the_environment_never_prints_or_stores_it()
    {
        string pipeline = PipelineFile(_server.Url);
        string state = _dir.File("state.db");

        var validate = await Cli.Tests.TestSupport.Sluice.RunAsync("validate", pipeline);
        var run = await Cli.Tests.TestSupport.Sluice.RunAsync("run", pipeline, "--state", state);
        var show = await Cli.Tests.TestSupport.Sluice.RunAsync("runs", "--state", state, "--json");

        Assert.True(validate.ExitCode == 0, validate.Stderr + validate.Stdout);
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        Assert.Equal(20, Directory.EnumerateFiles(_dir.File("out"), "*.jsonl").SelectMany(File.ReadAllLines).Count(l => l.Length > 0));
        foreach (string output in new[] { validate.Stdout, validate.Stderr, run.Stdout, run.Stderr, show.Stdout, show.Stderr })
        {
            Assert.DoesNotContain(Password, output);
        }
        byte[] secret = Encoding.UTF8.GetBytes(Password);
        foreach (string file in Directory.EnumerateFiles(_dir.Path, "state.db*"))
        {
            Assert.True(File.ReadAllBytes(file).AsSpan().IndexOf(secret) < 0, $"{file} holds the password");
        }
        var options = new NatsJetStreamSourceOptions { Url = _server.Url, User = "loader", Password = Password, Stream = "ORDERS" };
        Assert.DoesNotContain(Password, options.ToString());
    }
}
