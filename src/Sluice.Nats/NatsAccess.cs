using Sluice.Extensibility;
using System.Net.Sockets;
using NATS.Client.Core;
using NATS.Client.JetStream;

namespace Sluice.Nats;

/// <summary>
/// Where the server is and how to log in, once the options' <c>${env:NAME}</c> references are resolved. The url may
/// carry <c>user:password@</c> and the credentials are secrets: nothing here puts them into a message. Errors name the
/// server by its url without credentials, and every message built from a client exception has the secrets masked.
/// </summary>
internal sealed class NatsAccess
{
    /// <summary>How long the check when a pipeline is built waits for the server.</summary>
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);

    private readonly string _url;
    private readonly string? _user;
    private readonly string? _password;
    private readonly string? _token;
    private readonly string[] _secrets;

    private NatsAccess(string url, string? user, string? password, string? token, string endpoint, string[] secrets)
    {
        (_url, _user, _password, _token, Endpoint, _secrets) = (url, user, password, token, endpoint, secrets);
    }

    /// <summary>The server's url without credentials, for messages: <c>nats://host:port</c>.</summary>
    public string Endpoint { get; }

    /// <summary>Stream <paramref name="stream"/> in OpenLineage's naming: the first server's url, without credentials,
    /// and the stream's name.</summary>
    public LineageDataset Dataset(string stream) => new(Endpoint.Split(',')[0], stream);

    /// <summary>Checks the url and the choice of credentials; null with <paramref name="problem"/> set when they
    /// cannot be used.</summary>
    public static NatsAccess? TryCreate(string url, string? user, string? password, string? token, out string? problem)
    {
        problem = null;
        var urls = url.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (urls.Length == 0)
        {
            problem = "url names no server (write nats://host:4222)";
            return null;
        }
        var secrets = new List<string>();
        var shown = new List<string>();
        foreach (string one in urls)
        {
            string withScheme = one.Contains("://", StringComparison.Ordinal) ? one : "nats://" + one;
            if (!Uri.TryCreate(withScheme, UriKind.Absolute, out var uri) || uri.Host.Length == 0
                || uri.Scheme is not ("nats" or "tls" or "ws" or "wss"))
            {
                problem = $"url: '{Strip(one)}' is not a NATS server url (write nats://host:4222, or several separated by commas)";
                return null;
            }
            if (uri.UserInfo.Length > 0)
            {
                secrets.AddRange(uri.UserInfo.Split(':').Select(Uri.UnescapeDataString).Where(s => s.Length > 0));
            }
            shown.Add($"{uri.Scheme}://{uri.Host}:{(uri.IsDefaultPort || uri.Port < 0 ? 4222 : uri.Port)}");
        }
        if (token is not null && (user is not null || password is not null))
        {
            problem = "give either `token` or `user` and `password`, not both";
            return null;
        }
        if ((user is null) != (password is null))
        {
            problem = user is null ? "`password` needs a `user`" : "`user` needs a `password`";
            return null;
        }
        secrets.AddRange(new[] { password, token }.Where(s => !string.IsNullOrEmpty(s))!);
        return new NatsAccess(url, user, password, token, string.Join(",", shown), [.. secrets.Distinct().OrderByDescending(s => s.Length)]);
    }

    /// <summary>A connection for a run: it reconnects by itself after an outage; requests made while it is
    /// disconnected fail after the request timeout, to be retried by the caller.</summary>
    public NatsConnection Open(string name, bool forCheck = false) => new(new NatsOpts
    {
        Url = _url,
        Name = name,
        AuthOpts = new NatsAuthOpts { Username = _user, Password = _password, Token = _token },
        ConnectTimeout = CheckTimeout,
        RequestTimeout = TimeSpan.FromSeconds(10),
        MaxReconnectRetry = forCheck ? 0 : -1,
        ReconnectWaitMin = TimeSpan.FromMilliseconds(200),
        ReconnectWaitMax = TimeSpan.FromSeconds(2),
    });

    /// <summary>Connects once, checks that JetStream answers and runs <paramref name="check"/>, giving up after
    /// <see cref="CheckTimeout"/>; a one-line problem or null.</summary>
    public async Task<string?> CheckAsync(Func<NatsJSContext, CancellationToken, Task<string?>> check)
    {
        using var timeout = new CancellationTokenSource(CheckTimeout * 2);
        try
        {
            await using var connection = Open("sluice-check", forCheck: true);
            await connection.ConnectAsync();
            var js = new NatsJSContext(connection);
            try
            {
                await js.GetAccountInfoAsync(timeout.Token);
            }
            catch (NatsNoRespondersException)
            {
                return $"NATS at {Endpoint} does not have JetStream enabled (start nats-server with -js, or use an account with JetStream)";
            }
            return await check(js, timeout.Token);
        }
        catch (Exception e) when (IsNatsFailure(e))
        {
            return Describe(e, "cannot connect to");
        }
    }

    /// <summary>One line saying what went wrong talking to the server, without the credentials.</summary>
    public string Describe(Exception e, string doing)
    {
        string where = $"NATS at {Endpoint}";
        string text = e.ToString();
        string message = e switch
        {
            _ when text.Contains("Authorization Violation", StringComparison.OrdinalIgnoreCase)
                || text.Contains("authentication", StringComparison.OrdinalIgnoreCase)
                || text.Contains("Authorization", StringComparison.Ordinal) =>
                $"{doing} {where}: authentication failed (check `user` and `password`, or `token`)",
            NatsJSApiException api => $"{doing} {where}: JetStream answered {api.Error.Code} {api.Error.Description} (error {api.Error.ErrCode})",
            NatsNoRespondersException => $"{doing} {where}: no JetStream answered (is JetStream enabled, and the stream there?)",
            _ when IsTransient(e) => $"{doing} {where}: no connection ({FirstLine(Innermost(e).Message)}) (check the url, and that the server is running)",
            _ => $"{doing} {where}: {FirstLine(e.Message)}",
        };
        return Mask(message);
    }

    /// <summary>Whether a failure is worth trying again: the network or the server's availability.</summary>
    public static bool IsTransient(Exception e) => e switch
    {
        NatsJSApiException api => api.Error.Code is 503 or 408 or 500,
        NatsNoRespondersException => true,
        TimeoutException or SocketException or IOException or OperationCanceledException => true,
        NatsException n => !n.ToString().Contains("Authorization", StringComparison.OrdinalIgnoreCase),
        _ => false,
    };

    public static bool IsNatsFailure(Exception e) =>
        e is NatsException or SocketException or TimeoutException or IOException;

    /// <summary><paramref name="message"/> with every secret replaced by ***.</summary>
    public string Mask(string message)
    {
        foreach (string secret in _secrets)
        {
            message = message.Replace(secret, "***", StringComparison.Ordinal);
        }
        return message;
    }

    /// <summary>Runs <paramref name="call"/>, trying again after a transient failure as the pipeline's
    /// <c>resilience.retry</c> says; past its tries, one <see cref="NatsStageException"/> naming what failed. Each try
    /// is given <paramref name="tryTimeout"/> at most, so that a call made while the server is away fails instead of
    /// waiting for it forever.</summary>
    public async Task<T> RetryAsync<T>(Sluice.RetryPolicy retry, string doing, Func<CancellationToken, Task<T>> call,
        CancellationToken cancellationToken, TimeSpan? tryTimeout = null)
    {
        var delay = retry.Delay;
        for (int attempt = 1; ; attempt++)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(tryTimeout ?? TimeSpan.FromSeconds(15));
            try
            {
                return await call(timeout.Token);
            }
            catch (Exception e) when (attempt < retry.Attempts && IsTransient(e) && !cancellationToken.IsCancellationRequested)
            {
                var wait = retry.Jitter ? delay * (0.5 + Random.Shared.NextDouble()) : delay;
                await Task.Delay(wait < retry.MaxDelay ? wait : retry.MaxDelay, cancellationToken);
                delay *= 2;
            }
            catch (Exception e) when ((IsNatsFailure(e) || e is OperationCanceledException) && !cancellationToken.IsCancellationRequested)
            {
                var shown = e is OperationCanceledException ? new TimeoutException("the server did not answer in time") : e;
                throw new NatsStageException(Describe(shown, doing) + (IsTransient(e) ? $" after {attempt} {(attempt == 1 ? "try" : "tries")}" : ""));
            }
        }
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is { } inner && e is not SocketException)
        {
            e = inner;
        }
        return e;
    }

    private static string Strip(string url) => url.Contains('@', StringComparison.Ordinal) ? url[(url.LastIndexOf('@') + 1)..] : url;

    private static string FirstLine(string text) => text.ReplaceLineEndings("\n").Split('\n')[0].Trim();
}

/// <summary>A NATS operation failed for good: the message names the server and what was being done, never a secret.</summary>
internal sealed class NatsStageException(string message) : IOException(message);
