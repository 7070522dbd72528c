namespace Sluice.Connectors.Files;

/// <summary>A file, or the rest of one, that cannot be read as its source's options say:
/// what <see cref="UnreadableFiles.Report"/> turns into one dead letter (or the run's failure).</summary>
/// <param name="rule">The dead letter's rule: see <see cref="DeadLetters.FileLetters"/>.</param>
internal sealed class UnreadableFileException(string rule, string message) : Exception(message)
{
    public string Rule { get; } = rule;
}
