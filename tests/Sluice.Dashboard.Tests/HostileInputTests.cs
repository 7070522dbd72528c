using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.DataProtection;
using Sluice.Alerts;
using Sluice.Extensibility;
using Sluice.Dashboard.Security;
using Sluice.Dashboard.Tests.TestSupport;

namespace Sluice.Dashboard.Tests;

/// <summary>What an attacker or a newcomer types: bad query values, odd bytes in letters, forged forms and cookies.
/// The answer is a 400 that says why, an empty page or a 404 — never a 500, a stack trace or broken HTML.</summary>
public sealed class HostileInputTests : IDisposable
{
    private const string Token = "t0ken-for-tests";
    private static readonly string Long = new('x', 100_000);
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string State => _dir.File("state.db");

    /// <summary>A run of pipeline p with one ordinary letter and a letter with the given original and message.</summary>
    private async Task<(string RunId, long Ordinary, long Odd)> SeedAsync(byte[]? original = null, string? message = null)
    {
        await using var store = await SqliteStateStore.OpenAsync(State);
        var run = await store.StartRunAsync("p");
        await store.AddDeadLettersAsync(run.Id, "p", [
            new("s", new RowOrigin("a.csv", "1", "1,ok"u8.ToArray()), DeadLetterReason.Contract, "amount", "max", "amount over max"),
            new("s", new RowOrigin("a.csv", "2", original ?? "2,odd"u8.ToArray()), DeadLetterReason.Parse, null, null, message ?? "odd"),
        ]);
        await store.FinishRunAsync(run.Id, RunState.Failed, new RunTotals(2, 0, 0, 2), null);
        var ids = (await store.ListDeadLettersAsync(new DeadLetterQuery("p") { OldestFirst = true })).Select(l => l.Id).ToArray();
        return (run.Id, ids[0], ids[1]);
    }

    public static TheoryData<string> BadQueries => new()
    {
        "/sluice/?limit=abc", "/sluice/?limit=-5", "/sluice/?limit=0", "/sluice/?limit=99999999999999", "/sluice/?limit=1e3",
        "/sluice/?state=bogus", "/sluice/?kind=bogus", "/sluice/?before=%27%20OR%201%3D1--", "/sluice/?q=%25&q=_",
        "/sluice/?q=%00%01%1b", "/sluice/?q=" + Long, "/sluice/?pipeline=" + Long, "/sluice/?limit=5&limit=abc",
        "/sluice/runs/%01%1b", "/sluice/runs/" + Long, "/sluice/runs/%25", "/sluice/flows/%27%3B%20DROP%20TABLE%20runs%3B--",
        "/sluice/dead-letters?before=abc", "/sluice/dead-letters?before=-1", "/sluice/dead-letters?before=99999999999999999999",
        "/sluice/dead-letters?since=yesterday", "/sluice/dead-letters?since=2026-13-45", "/sluice/dead-letters?until=9999-12-31T23:59:59-05:00",
        "/sluice/dead-letters?reason=bogus", "/sluice/dead-letters?stage=%25&field=_", "/sluice/dead-letters?run=" + Long,
        "/sluice/dead-letters/0", "/sluice/dead-letters/-1", "/sluice/dead-letters/9223372036854775807",
        "/sluice/dead-letters/confirm", "/sluice/dead-letters/confirm?do=bogus", "/sluice/dead-letters/confirm?do=purge-all",
        "/sluice/dead-letters/confirm?do=purge-selected&id=abc", "/sluice/dead-letters/confirm?do=purge-selected&id=-1",
        "/sluice/dead-letters/confirm?do=purge-selected&id=99999999999999999999", "/sluice/dead-letters/confirm?do=purge-all&pipeline=p&through=x",
        "/sluice/charts?n=abc", "/sluice/charts?n=0", "/sluice/charts?n=100000", "/sluice/charts?pipeline=" + Long,
        "/sluice/alerts?limit=abc", "/sluice/alerts?kind=bogus", "/sluice/alerts?kind=1", "/sluice/alerts?before=abc", "/sluice/alerts?subject=%25",
        "/sluice/api/runs?limit=abc", "/sluice/api/runs?state=bogus", "/sluice/api/runs?kind=bogus", "/sluice/api/runs/%01%1b",
        "/sluice/api/flow-runs/nope", "/sluice/api/dead-letters?limit=0", "/sluice/api/dead-letters?limit=100000",
        "/sluice/api/dead-letters?since=%00", "/sluice/api/dead-letters/-1", "/sluice/api/charts", "/sluice/api/charts?pipeline=p&n=-1",
        "/sluice/api/alerts?before=0", "/sluice/api/alerts?kind=pipeline,flow",
    };

    [Theory]
    [MemberData(nameof(BadQueries))]
    public async Task A_bad_query_value_is_a_clear_400_an_empty_page_or_a_404_never_a_500(string url)
    {
        await SeedAsync();
        await using var host = await DashboardHost.StartAsync(new SluiceDashboardOptions { StatePath = State });

        var response = await host.GetAsync(url);
        string body = await response.Content.ReadAsStringAsync();

        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.BadRequest, HttpStatusCode.NotFound });
        Assert.DoesNotContain("Exception", body);
        Assert.DoesNotContain("   at ", body);
        if (response.StatusCode == HttpStatusCode.BadRequest)
            Assert.Matches("data-testid=\"message\">.+</p>|\\{\"error\":\".+\"\\}", body);
    }

    [Theory]
    [InlineData("/sluice/?kind=flows")]
    [InlineData("/sluice/api/runs?kind=bogus")]
    public async Task An_unknown_run_kind_is_a_400_naming_the_kinds_like_an_unknown_state(string url)
    {
        await SeedAsync();
        await using var host = await DashboardHost.StartAsync(new SluiceDashboardOptions { StatePath = State });

        var response = await host.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("kinds: pipeline, replay, flow", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Search_and_filters_take_percent_and_underscore_literally()
    {
        var (runId, _, _) = await SeedAsync();
        await using var host = await DashboardHost.StartAsync(new SluiceDashboardOptions { StatePath = State });

        Assert.Contains("data-testid=\"no-runs\"", await host.PageAsync("/sluice/?q=%25"));
        Assert.Contains("data-testid=\"no-runs\"", await host.PageAsync("/sluice/?q=_"));
        Assert.Contains($"data-run-id=\"{runId}\"", await host.PageAsync("/sluice/?q=p"));
        Assert.Contains("data-testid=\"no-letters\"", await host.PageAsync("/sluice/dead-letters?stage=%25"));
        Assert.Contains("data-testid=\"no-letters\"", await host.PageAsync("/sluice/dead-letters?field=amoun_"));
    }

    [Fact]
    public async Task A_five_megabyte_letter_shows_its_start_with_a_note_and_the_api_has_it_all()
    {
        // 'é' straddles the cut: the text shown must stop before it, not end in a broken byte.
        byte[] original = Encoding.UTF8.GetBytes(new string('a', Sluice.Dashboard.Pages.DeadLetterPage.TextShown - 1) + "é" + new string('b', 5_000_000) + "<script>");
        var (_, _, odd) = await SeedAsync(original);
        await using var host = await DashboardHost.StartAsync(new SluiceDashboardOptions { StatePath = State });

        string page = await host.PageAsync($"/sluice/dead-letters/{odd}");
        string api = await host.PageAsync($"/sluice/api/dead-letters/{odd}");

        Assert.True(page.Length < 200_000, $"the page is {page.Length} characters");
        Assert.Contains("data-testid=\"original-truncated\"", page);
        Assert.Contains($"Original ({original.Length:N0} bytes)", page);
        Assert.DoesNotContain("\\xc3", page);
        Assert.DoesNotContain("original-hex", page);
        Assert.EndsWith("</html>", page.TrimEnd());
        using var json = System.Text.Json.JsonDocument.Parse(api);
        Assert.Equal(original, json.RootElement.GetProperty("originalBase64").GetBytesFromBase64());
    }

    [Fact]
    public async Task A_binary_letter_shows_escaped_text_and_a_bounded_hex_dump()
    {
        byte[] original = [.. Enumerable.Range(0, 5_000_000).Select(i => (byte)(i * 7))];
        var (_, _, odd) = await SeedAsync(original);
        await using var host = await DashboardHost.StartAsync(new SluiceDashboardOptions { StatePath = State });

        string page = await host.PageAsync($"/sluice/dead-letters/{odd}");

        Assert.True(page.Length < 1_000_000, $"the page is {page.Length} characters");
        Assert.Contains("data-testid=\"original-hex\"", page);
        Assert.Contains("data-testid=\"original-truncated\"", page);
        Assert.Contains("\\x00", page);
        Assert.DoesNotContain('\0', page);
        Assert.DoesNotContain("<script", page);
    }

    [Fact]
    public async Task A_megabyte_message_is_clipped_in_the_list_and_on_the_letter_page()
    {
        string message = "<b>" + new string('m', 1_000_000) + "</b>";
        var (_, _, odd) = await SeedAsync(message: message);
        await using var host = await DashboardHost.StartAsync(new SluiceDashboardOptions { StatePath = State });

        string list = await host.PageAsync("/sluice/dead-letters");
        string letter = await host.PageAsync($"/sluice/dead-letters/{odd}");

        Assert.True(list.Length < 20_000, $"the list is {list.Length} characters");
        Assert.Contains("more characters)", list);
        Assert.True(letter.Length < 200_000, $"the letter page is {letter.Length} characters");
        Assert.Contains("&lt;b&gt;mmm", letter);
        Assert.DoesNotContain("<b>", letter);
    }

    [Fact]
    public async Task An_unknown_user_costs_a_password_check_as_a_known_one_does()
    {
        var options = new SluiceDashboardOptions { StatePath = State };
        options.Users.Add(new DashboardUser("ann", DashboardRole.Write, DashboardPasswords.Hash("ann's password", 1000)));
        var checks = new List<string>();
        var security = new DashboardSecurity(options, new EphemeralDataProtectionProvider(), "/", (password, hash) =>
        {
            checks.Add(hash);
            return DashboardPasswords.Verify(password, hash);
        });

        Assert.Null(security.Login(null, "nobody", "ann's password"));
        Assert.Null(security.Login(null, "ann", "wrong"));
        Assert.NotNull(security.Login(null, "ann", "ann's password"));

        Assert.Equal(3, checks.Count);
        await Task.CompletedTask;
    }

    [Theory]
    [InlineData("/\t/evil.example/")]
    [InlineData("/\n/evil.example/")]
    [InlineData("/runs/\u00e9")]
    [InlineData("//evil.example/")]
    [InlineData("/\\evil.example/")]
    [InlineData("https://evil.example/")]
    public async Task Login_returns_only_to_a_plain_path_of_the_dashboard(string back)
    {
        await using var host = await DashboardHost.StartAsync(new SluiceDashboardOptions { StatePath = State, Token = Token, PathPrefix = "" });
        string form = await host.PageAsync("/login");

        var login = await host.SubmitAsync("/login", form, ("token", Token), ("return", back));

        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/", login.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_form_post_whose_body_is_not_a_form_is_refused_not_a_500()
    {
        await SeedAsync();
        await using var host = await DashboardHost.StartAsync(new SluiceDashboardOptions { StatePath = State, Token = Token });
        string form = await host.PageAsync("/sluice/login");

        // The antiforgery token in its header (as a script could send it): the check passes, the body is JSON.
        HttpResponseMessage Post(string url) => host.SendAsync(new HttpRequestMessage(HttpMethod.Post, url)
        {
            Headers = { { "RequestVerificationToken", DashboardHost.AntiforgeryToken(form) } },
            Content = new StringContent($"{{\"token\":\"{Token}\"}}", Encoding.UTF8, "application/json"),
        }).Result;
        var login = Post("/sluice/login");
        var purge = Post("/sluice/dead-letters/purge");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, login.StatusCode);
        Assert.Contains("data-testid=\"message\"", await login.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, purge.StatusCode); // not logged in: to the login form first
    }

    [Theory]
    [InlineData("application/json; charset=nope")]
    [InlineData("application/json; charset=")]
    public async Task An_api_post_with_a_charset_no_one_knows_is_a_400(string contentType)
    {
        await SeedAsync();
        await using var host = await DashboardHost.StartAsync(new SluiceDashboardOptions { StatePath = State });
        var content = new ByteArrayContent("{\"pipeline\":\"p\"}"u8.ToArray());
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        var response = await host.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/sluice/api/dead-letters/purge") { Content = content });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("{\"error\":", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("")]
    [InlineData("x")]
    [InlineData("%%%")]
    [InlineData("CfDJ8AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task A_tampered_cookie_goes_to_the_login_form(string cookie)
    {
        await using var host = await DashboardHost.StartAsync(new SluiceDashboardOptions { StatePath = State, Token = Token });

        var page = await host.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/sluice/") { Headers = { { "Cookie", $"sluice_dashboard={cookie}" } } });
        var api = await host.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/sluice/api/runs") { Headers = { { "Cookie", $"sluice_dashboard={cookie}" } } });

        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
    }

    [Theory]
    [InlineData("Bearer ")]
    [InlineData("Bearer")]
    [InlineData("Basic " + Token)]
    [InlineData("Token " + Token)]
    [InlineData("Bearer " + Token + "x")]
    [InlineData("Bearer  x" + Token)]
    public async Task A_wrong_or_empty_bearer_header_is_a_401(string authorization)
    {
        await using var host = await DashboardHost.StartAsync(new SluiceDashboardOptions { StatePath = State, Token = Token });

        var request = new HttpRequestMessage(HttpMethod.Get, "/sluice/api/runs");
        request.Headers.TryAddWithoutValidation("Authorization", authorization);

        Assert.Equal(HttpStatusCode.Unauthorized, (await host.SendAsync(request)).StatusCode);
    }

    [Theory]
    [InlineData("?access_token=" + Token)]
    [InlineData("?token=" + Token)]
    public async Task The_token_in_the_query_string_is_not_taken(string query)
    {
        // A URL ends up in logs, history and Referer headers; the token goes in the Authorization header only.
        await using var host = await DashboardHost.StartAsync(new SluiceDashboardOptions { StatePath = State, Token = Token });

        Assert.Equal(HttpStatusCode.Unauthorized, (await host.GetAsync("/sluice/api/runs" + query)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await host.GetAsync("/sluice/" + query)).StatusCode);
    }

    [Fact]
    public async Task Stale_or_forged_selections_change_nothing_they_should_not()
    {
        var (_, ordinary, odd) = await SeedAsync();
        await using var host = await DashboardHost.StartAsync(new SluiceDashboardOptions { StatePath = State });

        string none = await host.PageAsync("/sluice/dead-letters/confirm?do=purge-all&pipeline=no-such-pipeline");
        Assert.Contains("data-count=\"0\"", none);
        Assert.DoesNotContain("data-testid=\"confirm\"", none);

        string confirm = await host.PageAsync($"/sluice/dead-letters/confirm?do=purge-selected&id={ordinary}");
        var missing = await host.SubmitAsync("/sluice/dead-letters/purge", confirm, ("id", "999999"));
        Assert.Contains("data-count=\"0\"", await missing.Content.ReadAsStringAsync());
        var garbage = await host.SubmitAsync("/sluice/dead-letters/purge", confirm, ("id", "1 OR 1=1"));
        Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
        var replay = await host.SubmitAsync("/sluice/dead-letters/replay", confirm, ("id", "999999"));
        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        Assert.Contains("none of the selected dead letters exists any more", await replay.Content.ReadAsStringAsync());
        // "All matching" pinned below the letters: the forged bound leaves them alone.
        var pinned = await host.SubmitAsync("/sluice/dead-letters/purge", confirm, ("pipeline", "p"), ("through", (ordinary - 1).ToString()));
        Assert.Contains("data-count=\"0\"", await pinned.Content.ReadAsStringAsync());

        await using var store = await SqliteStateStore.OpenAsync(State);
        Assert.Equal(2, await store.CountDeadLettersAsync(new DeadLetterQuery("p")));
        Assert.NotNull(await store.GetDeadLetterAsync(odd));
    }

    [Fact]
    public void A_users_file_with_bad_lines_names_the_line_and_never_echoes_a_hash_or_password()
    {
        string hash = DashboardPasswords.Hash("pw", 1000);
        string Error(string line) => Assert.Throws<FormatException>(() => DashboardUsersFile.Read(_dir.Write("users", $"# users\n{line}\n"))).Message;

        Assert.EndsWith(":2: the hash is not pbkdf2-sha256$ITERATIONS$SALT$HASH (make one with sluice dashboard hash-password)", Error("ann:read:hunter2"));
        Assert.EndsWith(":2: role 'admin' is not read or write", Error($"ann:admin:{hash}"));
        Assert.EndsWith(":2: a user is name:role:hash, not ':…'", Error($":read:{hash}"));
        Assert.DoesNotContain("hunter2", Error("hunter2"));
        Assert.DoesNotContain(hash, Error($"ann:read:{hash}:extra"));
    }

    [Fact]
    public async Task A_read_user_may_not_replay_or_purge_by_form_or_api_and_a_huge_password_is_just_wrong()
    {
        await SeedAsync();
        var options = new SluiceDashboardOptions { StatePath = State };
        options.Users.Add(new DashboardUser("ann", DashboardRole.Read, DashboardPasswords.Hash("ann's password", 1000)));
        await using var host = await DashboardHost.StartAsync(options);
        string form = await host.PageAsync("/sluice/login");

        var huge = await host.SubmitAsync("/sluice/login", form, ("user", "ann"), ("password", new string('p', 1_000_000)));
        Assert.Equal(HttpStatusCode.Unauthorized, huge.StatusCode);
        Assert.Contains("is not right", await huge.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, (await host.SubmitAsync("/sluice/login", form, ("user", "ann"), ("password", "ann's password"))).StatusCode);

        string confirm = await host.PageAsync("/sluice/dead-letters/confirm?do=replay-all&pipeline=p");
        foreach (string action in new[] { "replay", "purge" })
        {
            var page = await host.SubmitAsync($"/sluice/dead-letters/{action}", confirm, ("pipeline", "p"));
            var api = await host.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/sluice/api/dead-letters/{action}")
            {
                Content = new StringContent("{\"pipeline\":\"p\"}", Encoding.UTF8, "application/json"),
            });
            Assert.Equal(HttpStatusCode.Forbidden, page.StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, api.StatusCode);
        }
        await using var store = await SqliteStateStore.OpenAsync(State);
        Assert.Equal(2, await store.CountDeadLettersAsync(new DeadLetterQuery("p")));
    }

    [Theory]
    [InlineData(Token + "\n")]
    [InlineData(" " + Token + " ")]
    public async Task A_token_pasted_with_a_newline_or_spaces_logs_in_as_the_bearer_header_does(string pasted)
    {
        await using var host = await DashboardHost.StartAsync(new SluiceDashboardOptions { StatePath = State, Token = Token });
        string form = await host.PageAsync("/sluice/login");

        var login = await host.SubmitAsync("/sluice/login", form, ("token", pasted));
        var bearer = new HttpRequestMessage(HttpMethod.Get, "/sluice/api/openapi.json");
        bearer.Headers.TryAddWithoutValidation("Authorization", "Bearer " + pasted.TrimEnd('\n'));

        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.SendAsync(bearer)).StatusCode);
    }

    [Fact]
    public async Task A_token_configured_with_its_files_newline_still_matches()
    {
        await using var host = await DashboardHost.StartAsync(new SluiceDashboardOptions { StatePath = State, Token = Token + "\n" });

        var bearer = new HttpRequestMessage(HttpMethod.Get, "/sluice/api/openapi.json") { Headers = { { "Authorization", "Bearer " + Token } } };

        Assert.Equal(HttpStatusCode.OK, (await host.SendAsync(bearer)).StatusCode);
    }

    [Fact]
    public async Task A_megabyte_run_error_is_clipped_on_the_run_page()
    {
        string runId;
        await using (var store = await SqliteStateStore.OpenAsync(State))
        {
            runId = (await store.StartRunAsync("p")).Id;
            await store.FinishRunAsync(runId, RunState.Failed, new RunTotals(0, 0, 0, 0), "sink failed: <b>" + new string('e', 1_000_000));
        }
        await using var host = await DashboardHost.StartAsync(new SluiceDashboardOptions { StatePath = State });

        string page = await host.PageAsync($"/sluice/runs/{runId}");

        Assert.True(page.Length < 100_000, $"the run page is {page.Length} characters");
        Assert.Contains("sink failed: &lt;b&gt;eee", page);
        Assert.Contains("more characters)", page);
    }

    [Fact]
    public async Task A_webhooks_last_error_has_its_secrets_blanked_on_the_page_and_in_the_api()
    {
        var now = DateTimeOffset.UtcNow;
        await using (var store = await SqliteStateStore.OpenAsync(State))
        {
            var alerts = new AlertStore(store);
            var (miss, _) = await alerts.RecordAsync(new AlertMiss(AlertSubjectKind.Pipeline, "p", AlertKind.Sla, "sla:p:1", "06:00 UTC",
                now.AddHours(-1), null, "p missed its promise"), send: true, now, CancellationToken.None);
            Assert.True(await alerts.ClaimAsync(miss.Id, now, now.AddMinutes(1), CancellationToken.None));
            Assert.True(await alerts.MarkFailedAsync(miss.Id, "POST https://hooks.example/?api_key=s3cr3t-value failed: 500", now.AddMinutes(5),
                CancellationToken.None));
        }
        await using var host = await DashboardHost.StartAsync(new SluiceDashboardOptions { StatePath = State });

        string page = await host.PageAsync("/sluice/alerts");
        string api = await host.PageAsync("/sluice/api/alerts");

        Assert.Contains("api_key=***", page);
        Assert.DoesNotContain("s3cr3t-value", page);
        Assert.Contains("api_key=***", api);
        Assert.DoesNotContain("s3cr3t-value", api);
    }

    [Theory]
    [InlineData("{\"pipeline\":\"p\",\"reasn\":\"parse\"}", "$.reasn")]
    [InlineData("{\"ids\":\"all\"}", "$.ids")]
    [InlineData("[]", "$")]
    public async Task An_api_purge_with_a_misspelt_key_or_wrong_type_is_a_400_that_points_at_it_and_purges_nothing(string body, string path)
    {
        await SeedAsync();
        await using var host = await DashboardHost.StartAsync(new SluiceDashboardOptions { StatePath = State });

        var response = await host.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/sluice/api/dead-letters/purge")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        });
        string error = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString()!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith($"the body is not a selection (see {path}): send", error);
        Assert.EndsWith("keys: ids, pipeline, run, reason, stage, field, since, until", error);
        Assert.DoesNotContain("Sluice.Dashboard", error);
        await using var store = await SqliteStateStore.OpenAsync(State);
        Assert.Equal(2, await store.CountDeadLettersAsync(new DeadLetterQuery("p")));
    }

    [Fact]
    public async Task A_form_over_the_limits_is_called_too_large_not_forged()
    {
        await using var host = await DashboardHost.StartAsync(new SluiceDashboardOptions { StatePath = State, Token = Token });
        string form = await host.PageAsync("/sluice/login");

        var login = await host.SubmitAsync("/sluice/login", form, ("token", new string('t', 5_000_000)));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, login.StatusCode);
        Assert.Contains("The form is too large", await login.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_letters_list_reads_no_original_bytes()
    {
        await SeedAsync(new byte[5_000_000]);
        await using var store = await SqliteStateStore.OpenAsync(State);

        var page = await Sluice.Dashboard.Data.LetterQueries.ListAsync(store, new DeadLetterQuery("p"), null, 50, CancellationToken.None);

        Assert.Equal(2, page.Letters.Count);
        Assert.All(page.Letters, letter => Assert.Empty(letter.Original));
    }

    [Theory]
    [InlineData("X-Forwarded-For", "203.0.113.9")]
    [InlineData("Forwarded", "for=203.0.113.9;host=127.0.0.1")]
    public async Task Without_authentication_a_request_through_a_proxy_is_not_local(string header, string value)
    {
        // nginx on this machine with a bare proxy_pass: it connects from 127.0.0.1 with Host 127.0.0.1:5080.
        await using var host = await DashboardHost.StartAsync(new SluiceDashboardOptions { StatePath = State });
        var request = new HttpRequestMessage(HttpMethod.Get, "/sluice/api/runs") { Headers = { Host = "127.0.0.1:5080" } };
        request.Headers.TryAddWithoutValidation(header, value);

        var response = await host.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/sluice/api/openapi.json") { Headers = { Host = "127.0.0.1:5080" } })).StatusCode);
    }
}
