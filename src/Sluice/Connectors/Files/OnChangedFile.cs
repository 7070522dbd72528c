using Sluice.Connectors;
using Sluice.Connectors.Files;
namespace Sluice;

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
