using System.Diagnostics;
using Microsoft.Playwright;
using Sluice.BrowserTests.TestSupport;
using Xunit.Abstractions;

namespace Sluice.BrowserTests;

/// <summary>The browser machinery on its own, with no dashboard: Chromium opens a page served on loopback, shows a
/// script held in escaped text as text without running it, and leaves a screenshot behind.</summary>
[Collection(BrowserCollection.Name)]
public sealed class BrowserCheckTests(Chromium chromium, ITestOutputHelper output)
{
    private const string Title = "Sluice browser check";
    private const string Payload = "<script>document.title = 'script ran'</script>";

    // A dead letter's original bytes are shown like this: HTML-escaped inside <pre>. The page's own script proves
    // that scripts run at all here, so the payload not running means the escaping held, not that JavaScript was off.
    private static readonly string EscapedPage = $"""
        <!doctype html>
        <html><head><meta charset="utf-8"><title>{Title}</title></head>
        <body>
          <h1>Dead letter 42</h1>
          <pre id="original">{System.Net.WebUtility.HtmlEncode(Payload)}</pre>
          <script>document.body.dataset.scripts = 'on';</script>
        </body></html>
        """;

    // The same bytes pasted in raw: the payload runs, which shows that the title check below can catch it.
    private static readonly string RawPage = EscapedPage.Replace(System.Net.WebUtility.HtmlEncode(Payload), Payload);

    private static readonly Dictionary<string, string> Pages = new() { ["/escaped"] = EscapedPage, ["/raw"] = RawPage };

    [Fact]
    public async Task Escaped_script_is_shown_as_text_and_does_not_run()
    {
        await using var site = await LoopbackSite.ServingAsync(Pages);
        var clock = Stopwatch.StartNew();
        var page = await chromium.NewPageAsync();
        var response = await page.GotoAsync(site.Url("/escaped"));
        output.WriteLine($"browser launch (once per run) {chromium.LaunchTime.TotalMilliseconds:F0} ms; new page and load {clock.ElapsedMilliseconds} ms");

        Assert.Equal(200, response!.Status);
        Assert.Equal("Dead letter 42", await page.TextContentAsync("h1"));
        Assert.Equal(Payload, await page.TextContentAsync("#original"));
        Assert.Equal("on", await page.EvaluateAsync<string>("document.body.dataset.scripts"));
        Assert.Equal(Title, await page.TitleAsync());
        Assert.Equal(0, await page.Locator("#original script").CountAsync());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Raw_script_runs_so_the_title_check_can_fail()
    {
        await using var site = await LoopbackSite.ServingAsync(Pages);
        var page = await chromium.NewPageAsync();
        await page.GotoAsync(site.Url("/raw"));

        Assert.Equal("script ran", await page.TitleAsync());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Screenshot_is_kept_as_a_png_under_the_test_results()
    {
        await using var site = await LoopbackSite.ServingAsync(Pages);
        var page = await chromium.NewPageAsync();
        await page.GotoAsync(site.Url("/escaped"));
        string expected = Path.Combine(Screenshots.Folder, "browser-check.png");
        if (File.Exists(expected))
            File.Delete(expected);

        string path = await Screenshots.SaveAsync(page, "browser-check");

        Assert.Equal(expected, path);
        byte[] png = await File.ReadAllBytesAsync(path);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        // Chromium's screenshot of a blank 1280×800 page is 4.7 kB, of this page 12.6 kB: the text must be drawn.
        Assert.True(png.Length > 8_000, $"{path} is only {png.Length} bytes");
        output.WriteLine($"{path}: {png.Length} bytes");
        await page.Context.CloseAsync();
    }
}
