using System.CommandLine;
using System.Net;
using Sluice.Cli.Telemetry;

namespace Sluice.Cli.Commands;

/// <summary><c>--metrics-port</c> and <c>--metrics-address</c> of the commands that run pipelines: Prometheus
/// <c>/metrics</c> while they run (docs/metrics.md).</summary>
internal sealed class MetricsOptions
{
    private readonly Option<int?> _port = new("--metrics-port")
    {
        Description = "Serve the Sluice metrics in Prometheus' text format at http://ADDRESS:N/metrics while the command runs (0: a free port). The URL bound is printed on stderr.",
        HelpName = "N",
        CustomParser = result => (int?)CommonOptions.WholeNumber(result, "--metrics-port", "a TCP port", min: 0, max: 65535),
    };

    private readonly Option<IPAddress> _address = new("--metrics-address")
    {
        Description = "The address --metrics-port listens on. Default: 127.0.0.1 (this machine only); 0.0.0.0 or :: for every interface.",
        HelpName = "ADDRESS",
        DefaultValueFactory = _ => IPAddress.Loopback,
        CustomParser = result =>
        {
            string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
            if (IPAddress.TryParse(text, out var address))
                return address;
            result.AddError($"--metrics-address takes an IP address (127.0.0.1, ::1, 0.0.0.0); not '{text}'");
            return null;
        },
    };

    /// <summary>Adds both options to <paramref name="command"/>, and refuses an address without a port.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(_port);
        command.Options.Add(_address);
        command.Validators.Add(result =>
        {
            if (result.GetResult(_address) is { Implicit: false } && result.GetResult(_port) is null)
                result.AddError("--metrics-address needs --metrics-port");
        });
    }

    /// <summary>Where to serve metrics; null when no port was given.</summary>
    public MetricsListen? Read(ParseResult parsed) =>
        parsed.GetValue(_port) is { } port ? new MetricsListen(parsed.GetValue(_address)!, port) : null;
}
