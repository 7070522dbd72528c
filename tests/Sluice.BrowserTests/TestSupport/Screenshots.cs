using Microsoft.Playwright;

namespace Sluice.BrowserTests.TestSupport;

/// <summary>
/// Saves pages' screenshots as test artifacts: <c>NAME.png</c> in the folder the <c>SLUICE_SCREENSHOTS</c> variable
/// names, or else in <c>TestResults/screenshots/</c> at the repository's root, beside the TRX files that test.sh writes
/// to <c>TestResults/</c>, so whatever keeps the test results keeps the screenshots with them.
/// </summary>
public static class Screenshots
{
    public static string Folder { get; } = Environment.GetEnvironmentVariable("SLUICE_SCREENSHOTS") is { Length: > 0 } folder
        ? Path.GetFullPath(folder)
        : Path.Combine(RepositoryRoot(), "TestResults", "screenshots");

    /// <summary>Saves the whole page, or with <paramref name="fullPage"/> false only the viewport (1280×800, the size
    /// of the image in docs/), and returns the file's path.</summary>
    public static async Task<string> SaveAsync(IPage page, string name, bool fullPage = true)
    {
        if (name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name.Contains('.'))
            throw new ArgumentException($"'{name}' is not a plain file name (no folder, no extension)", nameof(name));
        Directory.CreateDirectory(Folder);
        string path = Path.Combine(Folder, name + ".png");
        await page.ScreenshotAsync(new() { Path = path, FullPage = fullPage });
        return path;
    }

    // The test runs in bin/CONFIGURATION/net10.0 below this project; the root is the first folder up that holds the
    // solution. A copied output folder with no solution above it keeps its screenshots in its own TestResults/.
    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Sluice.slnx")))
                return folder.FullName;
        }
        return AppContext.BaseDirectory;
    }
}
