using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Sluice.Cli.Tests.TestSupport;

/// <summary>A <c>sluice</c> process that keeps running (a following run, <c>serve</c>) while a test scrapes it:
/// its output collected as it comes, the <c>/metrics</c> URL it prints, a graceful stop by SIGTERM, and a kill on
/// dispose so that none is ever left behind.</summary>
public sealed class RunningSluice : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly TaskCompletionSource<string> _metricsUrl = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public RunningSluice(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        _process = SluiceProcess.Start(environment, args);
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _stdoutClosed.TrySetResult();
                return;
            }
            lock (_stdout)
                _stdout.AppendLine(e.Data);
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            _stderr.Enqueue(e.Data);
            if (e.Data.StartsWith("metrics: ", StringComparison.Ordinal))
                _metricsUrl.TrySetResult(e.Data["metrics: ".Length..]);
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Stderr => string.Join('\n', _stderr);

    /// <summary>The URL the process says it serves metrics at.</summary>
    public async Task<string> MetricsUrlAsync()
    {
        var printed = await Task.WhenAny(_metricsUrl.Task, _process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60)));
        return printed == _metricsUrl.Task ? await _metricsUrl.Task : throw new InvalidOperationException("no metrics URL printed; stderr: " + Stderr);
    }

    /// <summary>The <c>sluice_source_lag</c> of <paramref name="pipeline"/> in a scrape every 100 ms, from the first
    /// scrape that has it until it reads 0 (the source caught up); fails after a minute, with what it saw.</summary>
    public async Task<List<double>> SourceLagsUntilCaughtUpAsync(string pipeline)
    {
        string url = await MetricsUrlAsync();
        var lags = new List<double>();
        var until = DateTime.UtcNow.AddMinutes(1);
        while (lags.Count == 0 || lags[^1] != 0)
        {
            if (DateTime.UtcNow > until)
                throw new TimeoutException("lags seen: " + string.Join(", ", lags) + "\n" + Stderr);
            var samples = await PrometheusText.ScrapeAsync(url);
            if (samples.SingleOrDefault(s => s.Name == "sluice_source_lag" && s.Labels["sluice_pipeline"] == pipeline) is { } lag)
                lags.Add(lag.Value);
            await Task.Delay(100);
        }
        return lags;
    }

    /// <summary>What follows <paramref name="prefix"/> on the first stdout line that starts with it (sluice
    /// dashboard's "dashboard at URL …").</summary>
    public async Task<string> StdoutLineAfterAsync(string prefix)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && !_process.HasExited)
        {
            lock (_stdout)
            {
                if (_stdout.ToString().Split('\n').FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal)) is { } line)
                    return line[prefix.Length..].TrimEnd('\r');
            }
            await Task.Delay(50);
        }
        throw new InvalidOperationException($"no stdout line starting '{prefix}'; stderr: " + Stderr);
    }

    /// <summary>SIGTERM, as a service manager stops it; then its exit code and stdout.</summary>
    public async Task<(int ExitCode, string Stdout)> StopAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(timeout.Token);
        await _stdoutClosed.Task.WaitAsync(timeout.Token);
        lock (_stdout)
            return (_process.ExitCode, _stdout.ToString());
    }

    public void Dispose()
    {
        if (!_process.HasExited)
            _process.Kill();
        _process.Dispose();
    }
}
