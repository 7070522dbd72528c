using System.CommandLine;
using Sluice.Configuration;

namespace Sluice.Cli.Commands;

/// <summary><c>--memory-limit</c> of <c>run</c>: the most memory the process may hold (<c>512MB</c>, <c>2GB</c>).</summary>
internal static class MemoryLimitOption
{
    public static Option<long?> Create() => new("--memory-limit")
    {
        Description = "The most memory the process may hold while it runs (512MB, 2GB): batches and channels are sized from it, and a run that goes above it fails with a message (its last checkpoint stands) instead of taking the machine's memory. At least 128MB.",
        HelpName = "SIZE",
        CustomParser = result =>
        {
            string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
            if (ByteSizeText.TryParse(text, out long bytes) && bytes >= RunnerOptions.SmallestMemoryLimit)
                return bytes;
            result.AddError($"--memory-limit takes a size of at least 128MB (512MB, 2GB); not '{text}'");
            return null;
        },
    };
}
