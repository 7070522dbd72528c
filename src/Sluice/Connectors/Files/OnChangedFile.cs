using Sluice.Configuration;

namespace Sluice.Connectors.Files;

/// <summary>What a file source does with a file it consumed before that was changed in place since (its consumed
/// bytes differ): it is announced as a warning in every case. Why reread is the default: docs/decisions.md,
/// "Files that grow or change".</summary>
public enum OnChangedFile
{
    /// <summary>Read it again from its start, as a new file.</summary>
    Reread,

    /// <summary>Leave it unread and take it as consumed as it now is.</summary>
    Skip,

    /// <summary>Fail the run (exit 1) naming the file.</summary>
    Fail,
}

/// <summary>The <c>on_changed_file</c> option every file source has, declared once.</summary>
internal static class OnChangedFileOption
{
    public static OptionSpec Spec { get; } = new("on_changed_file", Shape.Enum("reread", "skip", "fail"),
        "What to do with a file consumed by an earlier run whose consumed bytes have changed since (a file that only " +
        "grew is read on from where it ended): `reread` it from its start, `skip` it, or `fail` the run. A warning " +
        "names the file in every case.", Default: "reread");

    public static OnChangedFile Bind(ConfigNode node) => node.GetString("on_changed_file") switch
    {
        "skip" => OnChangedFile.Skip,
        "fail" => OnChangedFile.Fail,
        _ => OnChangedFile.Reread,
    };
}
