using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Sluice.Configuration;
using Sluice.Extensibility;

namespace Sluice.Alerts;

/// <summary>POSTs one miss to a webhook as JSON, with <c>Idempotency-Key: KEY</c> so that a receiver can drop a repeat
/// (a request whose answer was lost is made again). Header values are resolved here, for this request only.</summary>
internal static class AlertWebhookSender
{
    // One client for every request: a client per request would leave a socket behind each time.
    private static readonly HttpClient Http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>Null when the webhook answered 2xx; otherwise why not, in one line that names no secret (not the URL,
    /// not a header value).</summary>
    public static async Task<string?> SendAsync(AlertWebhook webhook, AlertRecord alert, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url)
        {
            Content = new StringContent(Body(alert), Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", alert.Key);
        foreach (var (name, value) in webhook.Headers)
        {
            if (EnvironmentReferences.Expand(value, out string? missing) is not { } resolved)
                return $"header '{name}' needs the environment variable {missing}, which is not set";
            if (Connectors.Http.HttpOptionValues.HeaderProblem(name, resolved) is { } problem)
                return problem + " (after its environment variables were put in)";
            if (!request.Headers.TryAddWithoutValidation(name, resolved))
                request.Content.Headers.TryAddWithoutValidation(name, resolved);
        }
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            int status = (int)response.StatusCode;
            return status is >= 200 and < 300 ? null : $"the webhook answered HTTP {status} {response.ReasonPhrase}".TrimEnd();
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"the webhook did not answer within {DurationText.Format(timeout)}";
        }
        catch (HttpRequestException e)
        {
            return $"could not reach the webhook at {webhook.Url.Host}:{webhook.Url.Port}: {e.HttpRequestError}";
        }
    }

    /// <summary>The request body (documented in docs/alerts.md).</summary>
    public static string Body(AlertRecord alert) => new JsonObject
    {
        ["key"] = alert.Key,
        ["kind"] = AlertRules.Code(alert.Kind),
        ["subject_kind"] = AlertRules.Code(alert.SubjectKind),
        ["subject"] = alert.Subject,
        ["expected"] = alert.Expected,
        ["due_at"] = Utc(alert.DueAt),
        ["observed_at"] = alert.ObservedAt is { } observed ? Utc(observed) : null,
        ["detected_at"] = Utc(alert.DetectedAt),
        ["text"] = alert.Detail,
    }.ToJsonString();

    private static string Utc(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}
