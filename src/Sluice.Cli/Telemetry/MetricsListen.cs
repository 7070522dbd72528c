using System.Net;

namespace Sluice.Cli.Telemetry;

/// <summary>Where a command serves <c>/metrics</c>: <c>--metrics-address</c> (loopback by default) and
/// <c>--metrics-port</c> (0: a free port, which the command prints).</summary>
internal sealed record MetricsListen(IPAddress Address, int Port);
