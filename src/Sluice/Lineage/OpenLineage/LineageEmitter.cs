using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Sluice.Lineage.OpenLineage;

/// <summary>
/// Sends run events where <see cref="LineageOptions"/> say: a line appended to a file, or a POST. An event that
/// cannot be sent is tried again (3 attempts, 0.2 s then 0.4 s apart) within <see cref="LineageOptions.Timeout"/>, then
/// given up: the caller turns the returned message into a warning on the run. A 4xx answer other than 408 and 429
/// is not tried again: the same event would be refused again.
/// </summary>
internal sealed class LineageEmitter(LineageOptions options)
{
    private const int Attempts = 3;
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(200);

    // One client for the process (sockets are pooled); each request has its own deadline.
    private static readonly HttpClient Client = new() { Timeout = System.Threading.Timeout.InfiniteTimeSpan };

    // Runs of one process append to the same file one line at a time.
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> FileLocks = new(StringComparer.Ordinal);

    public LineageOptions Options => options;

    /// <summary>Sends <paramref name="runEvent"/>; null when it arrived, else why not, in one line.</summary>
    public async Task<string?> SendAsync(JsonObject runEvent)
    {
        string json = runEvent.ToJsonString();
        using var deadline = new CancellationTokenSource(options.Timeout);
        string problem = "";
        var backoff = FirstBackoff;
        for (int attempt = 1; attempt <= Attempts; attempt++)
        {
            try
            {
                await (options.Endpoint is { } url ? PostAsync(url, json, deadline.Token) : AppendAsync(options.Target, json, deadline.Token));
                return null;
            }
            catch (LineageRefusedException e)
            {
                return Message(runEvent, e.Message, attempt);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                return Message(runEvent, $"no answer within {options.Timeout.TotalSeconds:0.#} s", attempt);
            }
            catch (Exception e) when (e is HttpRequestException or IOException or UnauthorizedAccessException)
            {
                problem = e.Message;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Not worth another attempt (a path the file system refuses, say), and never worth failing the run.
                return Message(runEvent, e.Message, attempt);
            }
            if (attempt < Attempts)
            {
                try
                {
                    await Task.Delay(backoff, deadline.Token);
                }
                catch (OperationCanceledException)
                {
                    return Message(runEvent, problem, attempt);
                }
                backoff *= 2;
            }
        }
        return Message(runEvent, problem, Attempts);
    }

    private string Message(JsonObject runEvent, string problem, int attempts) =>
        $"OpenLineage {(string?)runEvent["eventType"]} event not sent to {options.Shown} " +
        $"({attempts} attempt{(attempts == 1 ? "" : "s")}): {problem.ReplaceLineEndings(" ")}";

    private async Task PostAsync(Uri url, string json, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (options.ApiKey is { } key)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        using var response = await Client.SendAsync(request, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return;
        }
        string status = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
        throw (int)response.StatusCode is >= 400 and < 500 and not (int)HttpStatusCode.RequestTimeout and not (int)HttpStatusCode.TooManyRequests
            ? new LineageRefusedException(status)
            : new HttpRequestException(status);
    }

    private static async Task AppendAsync(string path, string json, CancellationToken cancellationToken)
    {
        var gate = FileLocks.GetOrAdd(Path.GetFullPath(path), _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            // One write of the whole line: with O_APPEND, processes sharing the file do not interleave lines.
            await using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
            await file.WriteAsync(Encoding.UTF8.GetBytes(json + "\n"), cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    private sealed class LineageRefusedException(string message) : Exception(message);
}
