using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sluice.Dashboard;

namespace Sluice.Dashboard.Tests.TestSupport;

/// <summary>The dashboard mounted in a real ASP.NET Core app on an in-memory server, and a browser-like client that
/// keeps cookies and reads forms' antiforgery tokens as a browser would.</summary>
public sealed partial class DashboardHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Dictionary<string, string> _cookies = new(StringComparer.Ordinal);

    private DashboardHost(WebApplication app, HttpClient client)
    {
        _app = app;
        Client = client;
    }

    public HttpClient Client { get; }

    public static async Task<DashboardHost> StartAsync(SluiceDashboardOptions options)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseTestServer();
        builder.Services.AddAntiforgery();
        builder.Services.AddDataProtection().UseEphemeralDataProtectionProvider();
        var app = builder.Build();
        app.MapSluiceDashboard(options);
        await app.StartAsync();
        return new DashboardHost(app, app.GetTestClient());
    }

    public IEndpointRouteBuilder Endpoints => _app;

    /// <summary>Sends the request with the cookies collected so far, and collects the ones it sets.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        if (_cookies.Count > 0)
            request.Headers.Add("Cookie", string.Join("; ", _cookies.Select(c => $"{c.Key}={c.Value}")));
        var response = await Client.SendAsync(request);
        if (response.Headers.TryGetValues("Set-Cookie", out var set))
        {
            foreach (string cookie in set)
            {
                string pair = cookie.Split(';')[0];
                int eq = pair.IndexOf('=');
                if (pair[(eq + 1)..].Length == 0)
                    _cookies.Remove(pair[..eq]);
                else
                    _cookies[pair[..eq]] = pair[(eq + 1)..];
            }
        }
        return response;
    }

    public Task<HttpResponseMessage> GetAsync(string url) => SendAsync(new HttpRequestMessage(HttpMethod.Get, url));

    public async Task<string> PageAsync(string url)
    {
        var response = await GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>Posts a form with <paramref name="fields"/> plus the antiforgery token found in <paramref name="page"/>
    /// (the page that held the form), as submitting it in a browser does.</summary>
    public Task<HttpResponseMessage> SubmitAsync(string url, string page, params (string Name, string Value)[] fields) =>
        PostFormAsync(url, [.. fields, ("__RequestVerificationToken", AntiforgeryToken(page))]);

    public Task<HttpResponseMessage> PostFormAsync(string url, IEnumerable<(string Name, string Value)> fields) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))),
        });

    public static string AntiforgeryToken(string page) =>
        WebUtility.HtmlDecode(TokenField().Match(page) is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException("no antiforgery field on the page"));

    /// <summary>The hidden fields of the form with this id, as the browser would send them.</summary>
    public static List<(string Name, string Value)> HiddenFields(string page, string formId)
    {
        int start = page.IndexOf($"id=\"{formId}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no form {formId} on the page");
        string form = page[start..page.IndexOf("</form>", start, StringComparison.Ordinal)];
        return [.. Hidden().Matches(form).Select(m => (WebUtility.HtmlDecode(m.Groups[1].Value), WebUtility.HtmlDecode(m.Groups[2].Value)))];
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\">")]
    private static partial Regex Hidden();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
