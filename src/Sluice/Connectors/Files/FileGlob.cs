using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;

namespace Sluice.Connectors.Files;

/// <summary>
/// Expands a path pattern to the files it matches, in ordinal name order. <c>*</c> and <c>?</c> match within one
/// folder name, <c>**</c> matches any number of folders, <c>{a,b}</c> matches either alternative (they may hold
/// wildcards and nest). A pattern without wildcards names one file. Folders are separated by <c>/</c> (and, on
/// Windows, also by <c>\</c>); names compare case-insensitively where the file system does (Windows, macOS).
/// Files that match any of the exclude patterns (same syntax) are left out.
/// </summary>
/// <remarks>Why not Microsoft.Extensions.FileSystemGlobbing: docs/decisions.md, "File globs".</remarks>
internal static class FileGlob
{
    private static readonly bool IgnoreCase = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS();

    // A pipeline has a few patterns, asked about once per file listed and once per replayed dead letter: each is
    // compiled once per process, not once per question.
    // Keyed by the absolute pattern, so a relative base folder resolves against the current folder of each call.
    private static readonly ConcurrentDictionary<string, (string Full, string Root, Regex? Matcher)> Compiled = new();

    public static IReadOnlyList<string> Expand(string pattern, string baseDirectory, IReadOnlyList<string>? exclude = null)
    {
        var (full, root, matcher) = Compile(pattern, baseDirectory);
        if (matcher is null)
        {
            return File.Exists(full) && !Excluded(full, baseDirectory, exclude) ? [full] : [];
        }
        if (!Directory.Exists(root))
        {
            return [];
        }
        // Only a pattern with no separator after its root stays in one folder (e.g. data/*.csv); anything else,
        // data/*/part.csv, data/{a,b/c}.csv or **, may match below it.
        bool below = full[root.Length..].TrimStart(Path.DirectorySeparatorChar).IndexOfAny([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar]) >= 0
            || full.Contains("**", StringComparison.Ordinal);
        return Directory.EnumerateFiles(root, "*", below ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly)
            .Where(f => matcher.IsMatch(Relative(root, f)) && !Excluded(f, baseDirectory, exclude))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Whether <paramref name="path"/> (absolute) is a file <see cref="Expand"/> could return for the
    /// pattern, whether or not it still exists: a replayed dead letter names a file of its source this way.</summary>
    public static bool Matches(string pattern, string baseDirectory, string path, IReadOnlyList<string>? exclude = null) =>
        MatchesOne(pattern, baseDirectory, path) && !Excluded(path, baseDirectory, exclude);

    /// <summary>What the pattern reads as lineage names a dataset: the folder when only the file name holds wildcards
    /// (<c>out/*.jsonl</c> reads the folder <c>out</c>, the name a file sink gives what it writes there, so the two
    /// pipelines join); the absolute pattern when folders are matched too (<c>**</c>, <c>*/x.csv</c>); the file itself
    /// without wildcards.</summary>
    public static string DatasetPath(string pattern, string baseDirectory)
    {
        var (full, root, matcher) = Compile(pattern, baseDirectory);
        if (matcher is null)
            return full;
        bool inOneFolder = full[root.Length..].TrimStart(Path.DirectorySeparatorChar).IndexOfAny([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar]) < 0
            && !full.Contains("**", StringComparison.Ordinal);
        return inOneFolder ? root : full;
    }

    private static bool Excluded(string path, string baseDirectory, IReadOnlyList<string>? exclude) =>
        exclude is not null && exclude.Any(e => MatchesOne(e, baseDirectory, path));

    private static bool MatchesOne(string pattern, string baseDirectory, string path)
    {
        var (full, root, matcher) = Compile(pattern, baseDirectory);
        if (matcher is null)
        {
            return string.Equals(full, Path.GetFullPath(path), IgnoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
        }
        string relative = Path.GetRelativePath(root, path);
        return !relative.StartsWith("..", StringComparison.Ordinal) && !Path.IsPathRooted(relative) && matcher.IsMatch(Relative(root, path));
    }

    /// <summary>The path below <paramref name="root"/> with <c>/</c> between folders, as the regex expects.</summary>
    private static string Relative(string root, string path) =>
        Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/');

    /// <summary>The pattern as an absolute path, the folder above its first wildcard, and a regex for the paths below
    /// that folder it matches; no regex when the pattern has no wildcard (it names one file).</summary>
    private static (string Full, string Root, Regex? Matcher) Compile(string pattern, string baseDirectory) =>
        Compiled.GetOrAdd(Path.GetFullPath(Path.Combine(baseDirectory, pattern)), CompileFull);

    private static (string Full, string Root, Regex? Matcher) CompileFull(string full)
    {
        int wildcard = full.IndexOfAny(['*', '?', '{']);
        if (wildcard < 0)
        {
            return (full, "", null);
        }
        string root = Path.GetDirectoryName(full[..(wildcard + 1)])!;
        string below = full[root.Length..].TrimStart(Path.DirectorySeparatorChar).Replace(Path.DirectorySeparatorChar, '/');
        if (OperatingSystem.IsWindows())
        {
            below = below.Replace(Path.AltDirectorySeparatorChar, '/');
        }
        int at = 0;
        var options = RegexOptions.CultureInvariant | (IgnoreCase ? RegexOptions.IgnoreCase : RegexOptions.None);
        return (full, root, new Regex("^" + ToRegex(below, ref at, inBraces: false) + "$", options));
    }

    /// <summary>Translates the glob from <paramref name="at"/> up to its end or, inside braces, up to the
    /// <c>,</c> or <c>}</c> that ends the alternative.</summary>
    private static string ToRegex(string glob, ref int at, bool inBraces)
    {
        var sb = new StringBuilder();
        for (; at < glob.Length; at++)
        {
            char c = glob[at];
            if (inBraces && c is ',' or '}')
            {
                return sb.ToString();
            }
            if (c == '*' && at + 1 < glob.Length && glob[at + 1] == '*')
            {
                // "**/" matches zero or more folders; a bare "**" matches anything.
                bool slash = at + 2 < glob.Length && glob[at + 2] == '/';
                sb.Append(slash ? "(?:.*/)?" : ".*");
                at += slash ? 2 : 1;
            }
            else if (c == '*')
            {
                sb.Append("[^/]*");
            }
            else if (c == '?')
            {
                sb.Append("[^/]");
            }
            else if (c == '{' && glob.IndexOf('}', at) > at)
            {
                sb.Append("(?:");
                at++;
                sb.Append(ToRegex(glob, ref at, inBraces: true));
                while (at < glob.Length && glob[at] == ',')
                {
                    at++;
                    sb.Append('|').Append(ToRegex(glob, ref at, inBraces: true));
                }
                sb.Append(')'); // at is on the closing brace (or past the end when it was never closed)
            }
            else
            {
                sb.Append(Regex.Escape(c.ToString()));
            }
        }
        return sb.ToString();
    }
}
