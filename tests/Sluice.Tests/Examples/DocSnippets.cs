using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Sluice.Tests.Examples;

/// <summary>
/// Compiles a <c>```csharp</c> block of a Markdown file as a new user's console program would be compiled (top-level
/// statements, the usings of <c>dotnet new console</c>, nothing else implicit) against the engine, and runs it in a
/// child process, in a folder of the test's choosing.
/// </summary>
internal static partial class DocSnippets
{
    /// <summary>The usings a <c>dotnet new console</c> project gets implicitly.</summary>
    private const string ConsoleUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    /// <summary>The <c>```csharp</c> blocks of a Markdown file of the repository, in order.</summary>
    public static IReadOnlyList<string> Blocks(string markdownFile) =>
        CSharpBlock().Matches(File.ReadAllText(Path.Combine(FlightsExample.RepoRoot(), markdownFile)))
            .Select(m => m.Groups["code"].Value).ToList();

    /// <summary>Compiles <paramref name="code"/> against the framework and every assembly beside the test; fails the
    /// test with the compiler's errors when it does not compile.</summary>
    public static CSharpCompilation Compile(string code)
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Concat(Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll"))
            .Where(IsManagedAssembly)
            .GroupBy(Path.GetFileName).Select(g => MetadataReference.CreateFromFile(g.First()));
        var compilation = CSharpCompilation.Create("Snippet" + Guid.NewGuid().ToString("N")[..8],
            [CSharpSyntaxTree.ParseText(ConsoleUsings), CSharpSyntaxTree.ParseText(code)],
            references,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, "the snippet does not compile:\n" + string.Join("\n", errors) + "\n\n" + code);
        return compilation;
    }

    /// <summary>Compiles <paramref name="code"/> (failing with the compiler's errors) and runs it with
    /// <paramref name="workingDirectory"/> as its current folder; returns its exit code and output.</summary>
    public static (int ExitCode, string Output) CompileAndRun(string code, string workingDirectory)
    {
        string testBin = AppContext.BaseDirectory;
        var compilation = Compile(code);
        // The snippet goes beside the test assembly, so that the test's deps file resolves the engine and its
        // native libraries for it as for the test itself.
        string dll = Path.Combine(testBin, compilation.AssemblyName + ".dll");
        Assert.True(compilation.Emit(dll).Success);
        try
        {
            return Run(dll, workingDirectory, testBin);
        }
        finally
        {
            File.Delete(dll);
        }
    }

    private static (int, string) Run(string dll, string workingDirectory, string testBin)
    {
        string testName = Path.GetFileNameWithoutExtension(Assembly.GetExecutingAssembly().Location);
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string arg in (string[])["exec", "--depsfile", Path.Combine(testBin, testName + ".deps.json"),
                     "--runtimeconfig", Path.Combine(testBin, testName + ".runtimeconfig.json"), dll])
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "the snippet did not end");
        return (process.ExitCode, stdout + stderr.Result);
    }

    private static bool IsManagedAssembly(string path)
    {
        try
        {
            AssemblyName.GetAssemblyName(path);
            return true;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"```csharp\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
