using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Sluice.Cli;
using Sluice.Dashboard.Tests.TestSupport;

namespace Sluice.Dashboard.Tests;

/// <summary>Who may see and change what: loopback only without authentication, the token and logins, the write
/// role for replay and purge, antiforgery on every form, JSON-only API posts, and the headers every page carries.</summary>
public sealed class SecurityTests : IDisposable
{
    private const string Token = "t0ken-for-tests";
    private readonly OrdersPipeline _orders = new();
    private readonly TempDir _dir = new();

    public void Dispose()
    {
        _orders.Dispose();
        _dir.Dispose();
    }

    private async Task<long> QueuedAsync()
    {
        await using var store = await SqliteStateStore.OpenAsync(_orders.State);
        return await store.CountDeadLettersAsync(new DeadLetterQuery(Pipeline: "orders"));
    }

    [Fact]
    public async Task The_command_refuses_a_non_loopback_address_without_authentication_in_one_line()
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        Environment.SetEnvironmentVariable("SLUICE_DASHBOARD_TOKEN", null);

        int exit = await Cli.Cli.InvokeAsync(["dashboard", "--address", "0.0.0.0", "--port", "0", "--state", _orders.State], stdout, stderr, CancellationToken.None);

        Assert.Equal(ExitCodes.Invalid, exit);
        Assert.Equal("error: --address 0.0.0.0 is not loopback: the dashboard would be open to the network without authentication; " +
            "give --token-file FILE, $SLUICE_DASHBOARD_TOKEN or --users FILE" + Environment.NewLine, stderr.ToString());
        Assert.Equal("", stdout.ToString());
    }

    [Fact]
    public async Task The_command_refuses_a_users_file_with_a_bad_role_naming_its_line()
    {
        string users = _dir.Write("users", $"# who\nann:read:{DashboardPasswords.Hash("pw", 1000)}\nbob:admin:{DashboardPasswords.Hash("pw", 1000)}\n");
        var (stdout, stderr) = (new StringWriter(), new StringWriter());

        int exit = await Cli.Cli.InvokeAsync(["dashboard", "--address", "0.0.0.0", "--users", users, "--state", _orders.State], stdout, stderr, CancellationToken.None);

        Assert.Equal(ExitCodes.Invalid, exit);
        Assert.Equal($"error: {users}:3: role 'admin' is not read or write" + Environment.NewLine, stderr.ToString());
    }

    [Fact]
    public async Task Without_the_token_pages_go_to_the_login_form_and_the_api_answers_401()
    {
        await _orders.RunAsync();
        await using var host = await DashboardHost.StartAsync(new SluiceDashboardOptions { StatePath = _orders.State, Token = Token });

        var page = await host.GetAsync("/sluice/dead-letters?pipeline=orders");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal("/sluice/login?return=%2Fsluice%2Fdead-letters%3Fpipeline%3Dorders", page.Headers.Location!.OriginalString);

        var api = await host.GetAsync("/sluice/api/runs");
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Equal("Bearer", api.Headers.WwwAuthenticate.Single().Scheme);

        var wrong = new HttpRequestMessage(HttpMethod.Get, "/sluice/api/runs") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", "guess") } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.SendAsync(wrong)).StatusCode);

        var right = new HttpRequestMessage(HttpMethod.Get, "/sluice/api/runs") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", Token) } };
        var answer = await host.SendAsync(right);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Contains("\"pipeline\":\"orders\"", await answer.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_login_form_takes_the_token_and_sets_a_strict_http_only_cookie()
    {
        await using var host = await DashboardHost.StartAsync(new SluiceDashboardOptions { StatePath = _orders.State, Token = Token });
        string form = await host.PageAsync("/sluice/login?return=%2Fsluice%2Fcharts");

        var refused = await host.SubmitAsync("/sluice/login", form, ("token", "guess"), ("return", "/sluice/charts"));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        var login = await host.SubmitAsync("/sluice/login", form, ("token", Token), ("return", "https://evil.example/"));

        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/sluice/", login.Headers.Location!.OriginalString); // not the other site
        string cookie = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("sluice_dashboard=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, (await host.GetAsync("/sluice/charts")).StatusCode);
    }

    [Fact]
    public async Task A_user_with_the_read_role_may_look_but_not_purge()
    {
        await _orders.RunAsync();
        var options = new SluiceDashboardOptions { StatePath = _orders.State };
        options.Users.Add(new DashboardUser("ann", DashboardRole.Read, DashboardPasswords.Hash("ann's password", 1000)));
        await using var host = await DashboardHost.StartAsync(options);
        string form = await host.PageAsync("/sluice/login");
        var login = await host.SubmitAsync("/sluice/login", form, ("user", "ann"), ("password", "ann's password"));
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);

        string confirm = await host.PageAsync("/sluice/dead-letters/confirm?do=purge-all&pipeline=orders");
        Assert.Contains("Replay and purge need the write role; you have read only.", confirm);
        var purge = await host.SubmitAsync("/sluice/dead-letters/purge", confirm, ("pipeline", "orders"));
        var api = await host.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/sluice/api/dead-letters/purge")
        {
            Content = new StringContent("{\"pipeline\":\"orders\"}", Encoding.UTF8, "application/json"),
        });

        Assert.Equal(HttpStatusCode.Forbidden, purge.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, api.StatusCode);
        Assert.Equal(OrdersPipeline.OverMax.Length, await QueuedAsync());
    }

    [Fact]
    public async Task A_cross_site_post_without_the_antiforgery_token_is_refused()
    {
        await _orders.RunAsync();
        await using var host = await DashboardHost.StartAsync(new SluiceDashboardOptions { StatePath = _orders.State });

        // What a form on another site can send: the fields, but not this dashboard's token.
        var forged = await host.PostFormAsync("/sluice/dead-letters/purge", [("pipeline", "orders")]);
        var apiAsForm = await host.PostFormAsync("/sluice/api/dead-letters/purge", [("pipeline", "orders")]);

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Contains("no valid antiforgery token", await forged.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, apiAsForm.StatusCode);
        Assert.Equal(OrdersPipeline.OverMax.Length, await QueuedAsync());
    }

    [Fact]
    public async Task Without_authentication_a_request_for_another_host_name_is_refused()
    {
        await using var host = await DashboardHost.StartAsync(new SluiceDashboardOptions { StatePath = _orders.State });

        // A DNS-rebinding page: its own name, resolved to 127.0.0.1.
        var rebound = new HttpRequestMessage(HttpMethod.Get, "/sluice/") { Headers = { Host = "evil.example" } };

        Assert.Equal(HttpStatusCode.Forbidden, (await host.SendAsync(rebound)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.GetAsync("/sluice/")).StatusCode);
    }

    [Fact]
    public async Task Every_page_forbids_scripts_framing_and_sniffing()
    {
        await using var host = await DashboardHost.StartAsync(new SluiceDashboardOptions { StatePath = _orders.State });

        var response = await host.GetAsync("/sluice/");

        string csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("default-src 'none'", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.DoesNotContain("script-src", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task Hash_password_reads_stdin_and_prints_a_hash_of_it()
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var stdin = Console.In;
        Console.SetIn(new StringReader("s3cret words\n"));
        try
        {
            Assert.Equal(ExitCodes.Ok, await Cli.Cli.InvokeAsync(["dashboard", "hash-password"], stdout, stderr, CancellationToken.None));
        }
        finally
        {
            Console.SetIn(stdin);
        }

        string hash = stdout.ToString().Trim();
        Assert.StartsWith("pbkdf2-sha256$600000$", hash);
        Assert.True(DashboardPasswords.Verify("s3cret words", hash));
        Assert.Equal("", stderr.ToString());
    }

    [Fact]
    public void Password_hashes_verify_only_their_password()
    {
        string hash = DashboardPasswords.Hash("correct horse", 1000);

        Assert.StartsWith("pbkdf2-sha256$1000$", hash);
        Assert.True(DashboardPasswords.Verify("correct horse", hash));
        Assert.False(DashboardPasswords.Verify("correct horse ", hash));
        Assert.False(DashboardPasswords.Verify("correct horse", "plain-text"));
        Assert.NotEqual(hash, DashboardPasswords.Hash("correct horse", 1000)); // a new salt each time
    }

    [Fact]
    public void Secrets_in_messages_are_blanked()
    {
        Assert.Equal("cannot connect: Host=db;Username=app;Password=***;", Pages.Redact.Secrets("cannot connect: Host=db;Username=app;Password=hunter2;"));
        Assert.Equal("api_key: *** rejected", Pages.Redact.Secrets("api_key: abc123 rejected"));
    }
}
