using System.CommandLine;

namespace Sluice.Cli.Commands;

/// <summary>Options several commands share, declared once so their names and help read the same everywhere.</summary>
internal static class CommonOptions
{
    public static Option<string?> State() => new("--state")
    {
        Description = $"The state file (SQLite). Default: ${StatePaths.EnvironmentVariable}, else .sluice/state.db beside the pipeline file (run) or in the current folder.",
        HelpName = "PATH",
    };

    public static Option<string?> Pipeline() => new("--pipeline")
    {
        Description = "Only this pipeline (its name).",
        HelpName = "NAME",
    };

    public static Option<int> Limit(int defaultValue)
    {
        var option = new Option<int>("--limit")
        {
            Description = "At most this many rows, newest first.",
            HelpName = "N",
            DefaultValueFactory = _ => defaultValue,
        };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
                result.AddError("--limit must be 1 or more.");
        });
        return option;
    }
}
