using System.Text;
using System.Text.RegularExpressions;

namespace Sluice.Connectors.Files;

/// <summary>
/// Expands a path pattern to the files it matches, in ordinal name order. <c>*</c> and <c>?</c> match within one
/// folder name, <c>**</c> matches any number of folders. A pattern without wildcards names one file.
/// </summary>
public static class FileGlob
{
    public static IReadOnlyList<string> Expand(string pattern, string baseDirectory)
    {
        var (full, root, matcher) = Compile(pattern, baseDirectory);
        if (matcher is null)
        {
            return File.Exists(full) ? [full] : [];
        }
        if (!Directory.Exists(root))
        {
            return [];
        }
        var recurse = full.Contains("**", StringComparison.Ordinal) ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly;
        if (recurse == SearchOption.TopDirectoryOnly && full[root.Length..].TrimStart(Path.DirectorySeparatorChar).Contains(Path.DirectorySeparatorChar))
        {
            recurse = SearchOption.AllDirectories; // wildcards in folder names, e.g. data/*/part.csv
        }
        return Directory.EnumerateFiles(root, "*", recurse)
            .Where(f => matcher.IsMatch(Path.GetRelativePath(root, f)))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Whether <paramref name="path"/> (absolute) is a file <see cref="Expand"/> could return for the
    /// pattern, whether or not it still exists: a replayed dead letter names a file of its source this way.</summary>
    public static bool Matches(string pattern, string baseDirectory, string path)
    {
        var (full, root, matcher) = Compile(pattern, baseDirectory);
        if (matcher is null)
        {
            return string.Equals(full, path, StringComparison.Ordinal);
        }
        string relative = Path.GetRelativePath(root, path);
        return !relative.StartsWith("..", StringComparison.Ordinal) && !Path.IsPathRooted(relative) && matcher.IsMatch(relative);
    }

    /// <summary>The pattern as an absolute path, the folder above its first wildcard, and a regex for the paths below
    /// that folder it matches; no regex when the pattern has no wildcard (it names one file).</summary>
    private static (string Full, string Root, Regex? Matcher) Compile(string pattern, string baseDirectory)
    {
        string full = Path.GetFullPath(Path.Combine(baseDirectory, pattern));
        int wildcard = full.IndexOfAny(['*', '?']);
        if (wildcard < 0)
        {
            return (full, "", null);
        }
        string root = Path.GetDirectoryName(full[..(wildcard + 1)])!;
        var matcher = new Regex("^" + ToRegex(full[root.Length..].TrimStart(Path.DirectorySeparatorChar)) + "$", RegexOptions.CultureInvariant);
        return (full, root, matcher);
    }

    private static string ToRegex(string glob)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < glob.Length; i++)
        {
            char c = glob[i];
            if (c == '*' && i + 1 < glob.Length && glob[i + 1] == '*')
            {
                // "**/" matches zero or more folders; a bare "**" matches anything.
                bool slash = i + 2 < glob.Length && glob[i + 2] == Path.DirectorySeparatorChar;
                sb.Append(slash ? "(?:.*/)?" : ".*");
                i += slash ? 2 : 1;
            }
            else if (c == '*')
            {
                sb.Append("[^/]*");
            }
            else if (c == '?')
            {
                sb.Append("[^/]");
            }
            else
            {
                sb.Append(Regex.Escape(c.ToString()));
            }
        }
        return sb.ToString();
    }
}
