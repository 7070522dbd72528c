using System.Runtime.CompilerServices;

namespace Sluice.Connectors.Files;

/// <summary>
/// With <c>sluice run --follow</c>, a file source does not end after the files its glob matched: it polls the glob
/// and reads every file that appears, so the run is unbounded and checkpoints come from the timer. New files must be
/// complete when they appear (write elsewhere, then rename into the folder).
/// </summary>
/// <param name="Pattern">The source's path glob.</param>
/// <param name="Poll">How often to look for new files.</param>
internal sealed record FileFollow(string Pattern, string BaseDirectory, TimeSpan Poll, IReadOnlyList<string>? Exclude = null)
{
    /// <summary>The files to read in order: <paramref name="matched"/> from <paramref name="start"/>, then, when
    /// following, each file that appears later. While nothing new appears it yields null once per poll: the source
    /// then emits an empty batch, which is where the runner can pass a checkpoint barrier in an idle run.</summary>
    public static async IAsyncEnumerable<string?> FilesAsync(IReadOnlyList<string> matched, int start, FileFollow? follow,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (int i = start; i < matched.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return matched[i];
        }
        if (follow is null)
        {
            yield break;
        }
        var seen = new HashSet<string>(matched, StringComparer.Ordinal);
        while (true)
        {
            var appeared = FileGlob.Expand(follow.Pattern, follow.BaseDirectory, follow.Exclude).Where(seen.Add).ToList();
            foreach (string file in appeared)
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return file;
            }
            if (appeared.Count == 0)
            {
                await Task.Delay(follow.Poll, cancellationToken);
                yield return null;
            }
        }
    }

    /// <summary>The following set up for a source over <paramref name="pattern"/>, or null when the run does not follow.</summary>
    public static FileFollow? For(string pattern, BuildContext context, IReadOnlyList<string>? exclude = null) =>
        context.FollowPoll is { } poll ? new FileFollow(pattern, context.BaseDirectory, poll, exclude) : null;
}
