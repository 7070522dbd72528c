using Sluice.Extensibility;
using System.Net.Sockets;
using StackExchange.Redis;

namespace Sluice.Redis;

/// <summary>
/// The <c>connection</c> option once its <c>${env:NAME}</c> references are resolved: a StackExchange.Redis
/// configuration string, which may hold a password. Nothing here puts the string or the password into a message:
/// errors name the server as <c>host:port</c>, and every message built from a client exception has the password masked.
/// </summary>
internal sealed class RedisConnection
{
    /// <summary>How long the check when a pipeline is built waits for the server.</summary>
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);

    private readonly ConfigurationOptions _options;

    private RedisConnection(ConfigurationOptions options) => _options = options;

    /// <summary>Parses a configuration string; null with <paramref name="problem"/> set when the client refuses it.</summary>
    public static RedisConnection? TryParse(string text, out string? problem)
    {
        problem = null;
        ConfigurationOptions options;
        try
        {
            options = ConfigurationOptions.Parse(text);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
        {
            problem = "not a StackExchange.Redis configuration string (host:port[,password=…][,ssl=true]…)";
            return null;
        }
        if (options.EndPoints.Count == 0)
        {
            problem = "the connection names no server (write host:port, e.g. localhost:6379)";
            return null;
        }
        options.ClientName ??= "sluice";
        return new RedisConnection(options);
    }

    /// <summary>Where the server is, for messages: <c>host:port</c> (several as a comma-separated list).</summary>
    public string Endpoint => string.Join(",", _options.EndPoints.Select(e => Format(e)));

    /// <summary>Stream <paramref name="key"/> in OpenLineage's naming: <c>redis://host:port</c> (the first server) and
    /// the key. Never the password.</summary>
    public LineageDataset Dataset(string key) => new($"redis://{Format(_options.EndPoints[0])}", key);

    /// <summary>Connects for a run: the client reconnects by itself after an outage, and a command sent while it is
    /// disconnected fails at once, to be retried by the caller.</summary>
    public async Task<ConnectionMultiplexer> ConnectAsync(TextWriter? log = null)
    {
        var options = _options.Clone();
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = Math.Min(options.ConnectTimeout, (int)CheckTimeout.TotalMilliseconds);
        return await ConnectionMultiplexer.ConnectAsync(options, log);
    }

    /// <summary>Connects once and pings, giving up after <see cref="CheckTimeout"/>; a one-line problem or null.</summary>
    public async Task<string?> CheckAsync()
    {
        var options = _options.Clone();
        options.AbortOnConnectFail = true;
        options.ConnectRetry = 1;
        options.ConnectTimeout = Math.Min(options.ConnectTimeout, (int)CheckTimeout.TotalMilliseconds);
        try
        {
            await using var connection = await ConnectionMultiplexer.ConnectAsync(options);
            await connection.GetDatabase().PingAsync();
            return null;
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            return Describe(e, "cannot connect to");
        }
    }

    /// <summary>One line saying what went wrong talking to the server, without the password.</summary>
    public string Describe(Exception e, string doing)
    {
        string where = $"Redis at {Endpoint}";
        string text = e.ToString();
        string message = e switch
        {
            _ when text.Contains("WRONGPASS", StringComparison.Ordinal) || text.Contains("NOAUTH", StringComparison.Ordinal)
                || text.Contains("AuthenticationFailure", StringComparison.Ordinal) =>
                $"{doing} {where}: authentication failed (check the password and user in `connection`)",
            RedisConnectionException or SocketException or TimeoutException or RedisTimeoutException =>
                $"{doing} {where}: no connection ({FirstLine(e.Message)}) (check host and port, and that the server is running)",
            RedisServerException s => $"{doing} {where}: the server answered {FirstLine(s.Message)}",
            _ => $"{doing} {where}: {FirstLine(e.Message)}",
        };
        return Mask(message);
    }

    /// <summary>Whether a failure is worth trying again: the network or the server's availability.</summary>
    public static bool IsTransient(Exception e) =>
        e is RedisConnectionException or RedisTimeoutException or SocketException or TimeoutException or IOException
        || (e is RedisServerException s && (s.Message.StartsWith("LOADING", StringComparison.Ordinal)
            || s.Message.StartsWith("BUSY ", StringComparison.Ordinal) || s.Message.StartsWith("TRYAGAIN", StringComparison.Ordinal)));

    public static bool IsRedisFailure(Exception e) =>
        e is RedisException or SocketException or TimeoutException or IOException;

    /// <summary><paramref name="message"/> with the password replaced by ***.</summary>
    public string Mask(string message) =>
        string.IsNullOrEmpty(_options.Password) ? message : message.Replace(_options.Password, "***", StringComparison.Ordinal);

    /// <summary>Runs <paramref name="call"/>, trying again after a transient failure as the pipeline's
    /// <c>resilience.retry</c> says; past its tries, one <see cref="RedisStreamException"/> naming what failed.</summary>
    public async Task<T> RetryAsync<T>(Sluice.RetryPolicy retry, string doing, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        var delay = retry.Delay;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (Exception e) when (attempt < retry.Attempts && IsTransient(e) && !cancellationToken.IsCancellationRequested)
            {
                var wait = retry.Jitter ? delay * (0.5 + Random.Shared.NextDouble()) : delay;
                await Task.Delay(wait < retry.MaxDelay ? wait : retry.MaxDelay, cancellationToken);
                delay *= 2;
            }
            catch (Exception e) when (IsRedisFailure(e) && !cancellationToken.IsCancellationRequested)
            {
                throw new RedisStreamException(Describe(e, doing) + (IsTransient(e) ? $" after {attempt} {(attempt == 1 ? "try" : "tries")}" : ""));
            }
        }
    }

    private static string Format(System.Net.EndPoint endPoint) => endPoint switch
    {
        System.Net.DnsEndPoint d => $"{d.Host}:{(d.Port == 0 ? 6379 : d.Port)}",
        System.Net.IPEndPoint i => $"{i.Address}:{(i.Port == 0 ? 6379 : i.Port)}",
        _ => endPoint.ToString() ?? "",
    };

    private static string FirstLine(string text)
    {
        string line = text.ReplaceLineEndings("\n").Split('\n')[0].Trim();
        int hint = line.IndexOf(" To allow this multiplexer", StringComparison.Ordinal);
        return hint > 0 ? line[..hint] : line;
    }
}

/// <summary>A Redis operation failed for good: the message names the server and what was being done, never the password.</summary>
internal sealed class RedisStreamException(string message) : IOException(message);
