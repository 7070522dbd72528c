using System.Net;
using System.Net.Sockets;

namespace Sluice.Tests.TestSupport;

/// <summary>A webhook on a free loopback port (HttpListener) that records every request and answers 500 to the first
/// <c>failFirst</c> ones, 200 after: a stand-in for the receivers alerts are sent to.</summary>
public sealed class WebhookReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly List<Received> _requests = [];
    private readonly int _failFirst;

    public sealed record Received(string? IdempotencyKey, string? Authorization, string Body, int AnsweredStatus);

    public WebhookReceiver(int failFirst = 0)
    {
        _failFirst = failFirst;
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Url = $"http://127.0.0.1:{port}/hook/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public string Url { get; }

    public List<Received> Requests
    {
        get
        {
            lock (_requests)
                return [.. _requests];
        }
    }

    /// <summary>The requests answered 200.</summary>
    public List<Received> Accepted => [.. Requests.Where(r => r.AnsweredStatus == 200)];

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            using var reader = new StreamReader(context.Request.InputStream);
            string body = await reader.ReadToEndAsync();
            int status;
            lock (_requests)
            {
                status = _requests.Count < _failFirst ? 500 : 200;
                _requests.Add(new Received(context.Request.Headers["Idempotency-Key"], context.Request.Headers["Authorization"], body, status));
            }
            context.Response.StatusCode = status;
            context.Response.Close();
        }
    }

    public void Dispose() => _listener.Close();
}
