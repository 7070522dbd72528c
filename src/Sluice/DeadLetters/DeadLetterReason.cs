using Sluice.DeadLetters;
namespace Sluice;

/// <summary>Why a record was dead-lettered. The lower-case names are the reason codes users filter on.</summary>
public enum DeadLetterReason
{
    /// <summary>The record's bytes could not be read as a record, or a value not as its type.</summary>
    Parse,
    /// <summary>The record was read but broke a contract rule.</summary>
    Contract,
    /// <summary>A transform failed on the record (e.g. division by zero, failed cast).</summary>
    Transform,
    /// <summary>A sink refused the record.</summary>
    Sink,
}

public static class DeadLetterReasons
{
    public static string Code(this DeadLetterReason reason) => reason switch
    {
        DeadLetterReason.Parse => "parse",
        DeadLetterReason.Contract => "contract",
        DeadLetterReason.Transform => "transform",
        DeadLetterReason.Sink => "sink",
        _ => throw new ArgumentOutOfRangeException(nameof(reason)),
    };

    /// <summary>A reason from its code (any case). Only the codes themselves: not Enum.TryParse, which also takes
    /// numbers ("2") and comma-separated lists ("parse,contract" is the value of contract).</summary>
    public static bool TryParse(string code, out DeadLetterReason reason)
    {
        foreach (DeadLetterReason candidate in Enum.GetValues<DeadLetterReason>())
        {
            if (string.Equals(candidate.Code(), code, StringComparison.OrdinalIgnoreCase))
            {
                reason = candidate;
                return true;
            }
        }
        reason = default;
        return false;
    }
}
