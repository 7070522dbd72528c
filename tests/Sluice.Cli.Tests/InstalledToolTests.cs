using System.Diagnostics;
using System.IO.Compression;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;
using System.Security;
using System.Text.Json;
using System.Text.RegularExpressions;
using ParquetSharp;
using Sluice.Tests.Examples;

namespace Sluice.Cli.Tests;

/// <summary>
/// What a user gets: the tool packed for this machine's platform (not all four, to stay quick), installed with
/// <c>dotnet tool install</c> from that folder alone into a temp tool path, running the flights example.
/// </summary>
public sealed partial class InstalledToolTests(InstalledToolTests.PackedTool packed) : IClassFixture<InstalledToolTests.PackedTool>
{
    [Fact]
    public async Task The_packed_tool_installs_from_its_folder_and_runs_the_flights_example()
    {
        using var dir = new TempDir();
        string tools = dir.File("tools"), example = dir.File("flights");
        // The folder is the only package source: installing needs nothing but the two packages just made.
        string config = dir.Write("nuget.config", $"""
            <configuration>
              <packageSources><clear /><add key="packed" value="{SecurityElement.Escape(packed.Folder)}" /></packageSources>
            </configuration>
            """);
        await RunAsync(Dotnet, "tool", "install", "--tool-path", tools, "Sluice.Cli", "--configfile", config);
        FlightsExample.CopyTo(example);

        var run = await RunAsync(Path.Combine(tools, OperatingSystem.IsWindows() ? "sluice.exe" : "sluice"),
            "run", Path.Combine(example, "pipeline.yaml"));

        Assert.Contains("in 20,060 = out 20,014 + dead 41 + filtered 5", run.Stdout);
        Assert.Equal(20_014, Directory.EnumerateFiles(Path.Combine(example, "out", "flights"), "*.parquet")
            .Sum(file => { using var reader = new ParquetFileReader(file); return reader.FileMetaData.NumRows; }));
    }

    [Fact]
    public void The_platform_package_is_precompiled_and_carries_only_its_platforms_native_libraries()
    {
        string[] packages = Directory.GetFiles(packed.Folder, "*.nupkg").Select(f => Path.GetFileName(f)).ToArray();
        string pointer = Assert.Single(packages, p => p.StartsWith("Sluice.Cli.0.", StringComparison.Ordinal));
        string platform = Assert.Single(packages, p => p.StartsWith($"Sluice.Cli.{PackedTool.Rid}.", StringComparison.Ordinal));
        Assert.Equal(2, packages.Length);

        // The pointer package only names the platform packages; `dotnet tool install` fetches the right one.
        using (var archive = ZipFile.OpenRead(Path.Combine(packed.Folder, pointer)))
            Assert.DoesNotContain(archive.Entries, e => e.Name.EndsWith(".dll", StringComparison.Ordinal));

        using var package = ZipFile.OpenRead(Path.Combine(packed.Folder, platform));
        var names = package.Entries.Select(e => e.FullName).ToList();
        Assert.DoesNotContain(names, n => n.Contains("/runtimes/", StringComparison.Ordinal));
        var natives = names.Select(n => Path.GetFileName(n)).Where(n => NativeLibrary().IsMatch(n)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(PlatformNatives(), natives);
        Assert.True(IsReadyToRun(package, "Sluice.dll"), "the engine is not precompiled");
        Assert.True(IsReadyToRun(package, "Sluice.Cli.dll"), "the CLI is not precompiled");

        // The CLI project's runtime settings reach the installed tool.
        using var settings = JsonDocument.Parse(Read(package, "Sluice.Cli.runtimeconfig.json"));
        var options = settings.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        Assert.False(options.GetProperty("System.Runtime.TieredPGO").GetBoolean());
        Assert.True(options.GetProperty("System.Globalization.Invariant").GetBoolean());
    }

    /// <summary>The tool packed once for both tests: packing is most of their time.</summary>
    public sealed class PackedTool : IAsyncLifetime
    {
        private readonly TempDir _dir = new();

        /// <summary>The tool's platforms are named os-arch (linux-x64, osx-arm64, win-x64 …); this machine's, so named.</summary>
        public static string Rid { get; } =
            (OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux") + "-" +
            RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant();

        public string Folder => _dir.Path;

        public async Task InitializeAsync() =>
            await RunAsync(Dotnet, "pack", Path.Combine(FlightsExample.Folder, "..", "..", "src", "Sluice.Cli"), "-c", "Release",
                "-o", Folder, $"-p:ToolPackageRuntimeIdentifiers={Rid}", "--disable-build-servers", "-nologo", "-v", "quiet");

        public Task DisposeAsync()
        {
            _dir.Dispose();
            return Task.CompletedTask;
        }
    }

    /// <summary>The native libraries the tool needs (ParquetSharp's and SQLite's), as this platform names them.</summary>
    private static List<string> PlatformNatives() =>
        OperatingSystem.IsWindows() ? ["ParquetSharpNative.dll", "e_sqlite3.dll"]
        : OperatingSystem.IsMacOS() ? ["ParquetSharpNative.dylib", "libe_sqlite3.dylib"]
        : ["ParquetSharpNative.so", "libe_sqlite3.so"];

    /// <summary>Those libraries for any platform (a managed SQLitePCLRaw.provider.e_sqlite3.dll is not one).</summary>
    [GeneratedRegex(@"^(lib)?e_sqlite3\.(so|dylib|dll|a)$|^ParquetSharpNative\.")]
    private static partial Regex NativeLibrary();

    /// <summary>A ReadyToRun image carries native code beside its IL, found through the managed native header.</summary>
    private static bool IsReadyToRun(ZipArchive package, string assembly)
    {
        using var pe = new PEReader(new MemoryStream(Read(package, assembly)));
        return pe.PEHeaders.CorHeader is { ManagedNativeHeaderDirectory.Size: > 0 };
    }

    private static byte[] Read(ZipArchive package, string fileName)
    {
        var entry = Assert.Single(package.Entries, e => e.Name == fileName);
        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";

    /// <summary>Runs a program to its end and returns its output; fails the test, with that output, when it exits non-zero.</summary>
    private static async Task<(string Stdout, string Stderr)> RunAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', args)} exited {process.ExitCode}\n{await stdout}\n{await stderr}");
        return (await stdout, await stderr);
    }
}
