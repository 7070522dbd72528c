using System.Net;
using System.Net.Http.Headers;
using Sluice.Cli.Tests.TestSupport;

namespace Sluice.Cli.Tests.Commands;

/// <summary><c>sluice dashboard</c> as a real process: what it serves, to whom, and how it refuses an address.</summary>
public sealed class DashboardCommandTests
{
    private static readonly HttpClient Http = new(new HttpClientHandler { AllowAutoRedirect = false });

    [Fact]
    public async Task With_a_token_pages_api_and_metrics_answer_only_the_bearer_of_it()
    {
        using var dir = new TempDir();
        string tokenFile = dir.Write("token", "s3cret-token\n");
        dir.Write("in.csv", "id\n1\n2\n");
        string pipeline = dir.Write("p.yaml", "name: tiny\nsource: { type: csv, path: in.csv }\nsink: { type: jsonl, path: out }\n");
        Assert.Equal(0, (await TestSupport.Sluice.RunAsync("run", pipeline, "--state", dir.File("state.db"))).ExitCode);
        using var dashboard = new RunningSluice(new Dictionary<string, string>(), "dashboard", "--port", "0", "--token-file", tokenFile, "--state", dir.File("state.db"));
        string url = (await dashboard.StdoutLineAfterAsync("dashboard at ")).Split(' ')[0].TrimEnd('/');

        using var page = await Http.GetAsync(url + "/");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode); // to the login form
        Assert.Contains("default-src 'none'", page.Headers.GetValues("Content-Security-Policy").Single());
        using var metrics = await Http.GetAsync(url + "/metrics");
        Assert.Equal(HttpStatusCode.Unauthorized, metrics.StatusCode);
        Assert.Equal("Bearer", metrics.Headers.WwwAuthenticate.Single().Scheme);
        using var wrong = await Send(url + "/metrics", "guess");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);

        using var scraped = await Send(url + "/metrics", "s3cret-token");
        Assert.Equal(HttpStatusCode.OK, scraped.StatusCode);
        Assert.StartsWith("text/plain", scraped.Content.Headers.ContentType?.MediaType);
        using var api = await Send(url + "/api/runs", "s3cret-token");
        Assert.Equal(HttpStatusCode.OK, api.StatusCode);
        Assert.Equal("application/json", api.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"pipeline\":\"tiny\"", (await api.Content.ReadAsStringAsync()).Replace(" ", "", StringComparison.Ordinal));

        var (exit, _) = await dashboard.StopAsync();
        Assert.Equal(0, exit);
    }

    [Fact]
    public async Task Without_authentication_on_loopback_the_pages_and_metrics_are_open()
    {
        using var dir = new TempDir();
        using var dashboard = new RunningSluice(new Dictionary<string, string>(), "dashboard", "--port", "0", "--state", dir.File("state.db"));
        string url = (await dashboard.StdoutLineAfterAsync("dashboard at ")).Split(' ')[0].TrimEnd('/');

        using var page = await Http.GetAsync(url + "/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("no state file", await page.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        using var metrics = await Http.GetAsync(url + "/metrics");
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
    }

    [Fact]
    public async Task An_address_not_of_this_machine_is_one_line_and_exit_2()
    {
        using var dir = new TempDir();
        string tokenFile = dir.Write("token", "t");

        // 192.0.2.1 is TEST-NET-1 (RFC 5737): documentation only, never an address of a real machine.
        var result = await TestSupport.Sluice.RunAsync("dashboard", "--address", "192.0.2.1", "--port", "0", "--token-file", tokenFile, "--state", dir.File("state.db"));

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: cannot serve the dashboard on 192.0.2.1:0: Cannot assign requested address", result.Stderr.Trim());
    }

    private static Task<HttpResponseMessage> Send(string url, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return Http.SendAsync(request);
    }
}
