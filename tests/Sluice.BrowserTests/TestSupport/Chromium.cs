using System.Diagnostics;
using Microsoft.Playwright;

namespace Sluice.BrowserTests.TestSupport;

/// <summary>
/// One headless Debian Chromium, launched through Playwright once for all the tests of the <c>browser</c> collection;
/// each test takes a page in a context of its own (<see cref="NewPageAsync"/>), so cookies and storage never leak from
/// one test into another. The browser is <c>/usr/bin/chromium</c> from Debian's <c>chromium</c> package: Playwright's
/// own builds are downloaded from a CDN this machine cannot reach, and none is ever asked for.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    /// <summary>Where Debian's <c>chromium</c> package puts the browser.</summary>
    public const string ExecutablePath = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    /// <summary>How long starting Playwright's driver and launching the browser took.</summary>
    public TimeSpan LaunchTime { get; private set; }

    public async Task InitializeAsync()
    {
        // Fail, never skip: a browser test that silently does not run would hide a broken dashboard.
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException(
                $"{ExecutablePath} is missing: install Debian's chromium package (as root: apt-get install chromium, or scripts/install-browser.sh)");
        }
        var clock = Stopwatch.StartNew();
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            // Chromium's sandbox refuses to start as root, which CI is; Playwright adds --no-sandbox unless this is
            // true, so the sandbox stays on for everyone else. Playwright already passes the flags that keep Chromium
            // off the network (--disable-background-networking, --disable-component-update, --disable-sync).
            ChromiumSandbox = !Environment.IsPrivilegedProcess,
        });
        LaunchTime = clock.Elapsed;
    }

    /// <summary>A new page in a fresh browser context (no cookies, no storage), closed with the context.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await _browser!.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });
        return await context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
            await _browser.DisposeAsync();
        _playwright?.Dispose();
    }
}

/// <summary>The tests that share one <see cref="Chromium"/>. xunit runs a collection's tests one at a time, so they
/// never compete for the browser (or the machine's two cores).</summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<Chromium>
{
    public const string Name = "browser";
}
