using System.Net;
using System.Text;
using Sluice.Dashboard.Tests.TestSupport;

namespace Sluice.Dashboard.Tests;

/// <summary>Every response under the dashboard's prefix carries the security headers — pages, JSON, refusals,
/// redirects, the stylesheet, and the 404s of paths no page has.</summary>
public sealed class HeadersTests : IDisposable
{
    private const string Token = "t0ken-for-tests";
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string, string> Requests => new()
    {
        { "GET", "/sluice/" },
        { "GET", "/sluice/dead-letters?limit=x" },
        { "GET", "/sluice/assets/dashboard.css" },
        { "GET", "/sluice/api/runs" },
        { "GET", "/sluice/api/runs?limit=-1" },
        { "GET", "/sluice/runs/no-such-run" },
        // Paths no endpoint matches, or whose route constraint fails: answered by the framework, not the dashboard.
        { "GET", "/sluice/no-such-page" },
        { "GET", "/sluice/dead-letters/not-a-number" },
        { "GET", "/sluice/dead-letters/99999999999999999999" },
        { "GET", "/sluice/api/no-such-route" },
        { "GET", "/sluice/api/dead-letters/x" },
        { "GET", "/sluice/logout" },
        { "HEAD", "/sluice/" },
        { "DELETE", "/sluice/dead-letters/purge" },
        { "POST", "/sluice/dead-letters/purge" },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task Every_response_under_the_prefix_carries_the_security_headers(string method, string url)
    {
        await using var host = await DashboardHost.StartAsync(new SluiceDashboardOptions { StatePath = _dir.File("state.db") });

        var response = await host.SendAsync(new HttpRequestMessage(new HttpMethod(method), url));

        AssertSecured(response);
        Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode);
    }

    [Theory]
    [InlineData("/sluice/")]
    [InlineData("/sluice/dead-letters")]
    [InlineData("/sluice/api/runs")]
    public async Task A_HEAD_request_is_answered_as_its_GET_without_the_body(string url)
    {
        // Uptime monitors and link checkers ask with HEAD; MapGet alone sent them the not-found page.
        await using var host = await DashboardHost.StartAsync(new SluiceDashboardOptions { StatePath = _dir.File("state.db") });

        var get = await host.GetAsync(url);
        var head = await host.SendAsync(new HttpRequestMessage(HttpMethod.Head, url));

        Assert.Equal(get.StatusCode, head.StatusCode);
        Assert.Equal(get.Content.Headers.ContentType?.MediaType, head.Content.Headers.ContentType?.MediaType);
        AssertSecured(head);
    }

    [Fact]
    public async Task A_path_no_page_has_is_a_404_page_and_json_under_the_api()
    {
        await using var host = await DashboardHost.StartAsync(new SluiceDashboardOptions { StatePath = _dir.File("state.db") });

        var page = await host.GetAsync("/sluice/no-such-page");
        var api = await host.GetAsync("/sluice/api/no-such-route");

        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Contains("data-testid=\"page-message\"", await page.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);
        Assert.StartsWith("{\"error\":", await api.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Refusals_and_redirects_of_a_dashboard_with_a_token_carry_them_too()
    {
        await using var host = await DashboardHost.StartAsync(new SluiceDashboardOptions { StatePath = _dir.File("state.db"), Token = Token });

        HttpResponseMessage[] responses =
        [
            await host.GetAsync("/sluice/"),                 // redirect to the login form
            await host.GetAsync("/sluice/login"),
            await host.GetAsync("/sluice/api/runs"),         // 401
            await host.GetAsync("/sluice/no-such-page"),
            await host.PostFormAsync("/sluice/login", [("token", "wrong")]),
            await host.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/sluice/api/dead-letters/purge")
            {
                Headers = { { "Authorization", "Bearer " + Token } },
                Content = new StringContent("{}", Encoding.UTF8, "text/plain"),
            }),
        ];

        foreach (var response in responses)
            AssertSecured(response);
    }

    internal static void AssertSecured(HttpResponseMessage response)
    {
        string what = $"{response.RequestMessage!.Method} {response.RequestMessage.RequestUri} ({(int)response.StatusCode})";
        Assert.True(response.Headers.TryGetValues("Content-Security-Policy", out var csp), $"{what} has no Content-Security-Policy");
        Assert.Contains("default-src 'none'", csp!.Single());
        Assert.Contains("frame-ancestors 'none'", csp!.Single());
        Assert.True(response.Headers.TryGetValues("X-Content-Type-Options", out var nosniff), $"{what} has no X-Content-Type-Options");
        Assert.Equal("nosniff", nosniff!.Single());
        Assert.True(response.Headers.TryGetValues("X-Frame-Options", out var frame), $"{what} has no X-Frame-Options");
        Assert.Equal("DENY", frame!.Single());
    }

    [Fact]
    public async Task A_state_file_that_is_not_one_is_a_500_page_that_says_so_with_the_headers()
    {
        File.WriteAllText(_dir.File("state.db"), "this is not a SQLite database, it is a text file of a fair length to be sure");
        await using var host = await DashboardHost.StartAsync(new SluiceDashboardOptions { StatePath = _dir.File("state.db") });

        var page = await host.GetAsync("/sluice/");
        var api = await host.GetAsync("/sluice/api/runs");

        Assert.Equal(HttpStatusCode.InternalServerError, page.StatusCode);
        AssertSecured(page);
        Assert.Contains("data-testid=\"message\"", await page.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.InternalServerError, api.StatusCode);
        AssertSecured(api);
        Assert.StartsWith("{\"error\":", await api.Content.ReadAsStringAsync());
    }
}
