using Sluice.Contracts;
namespace Sluice;

/// <summary>What a contract does with a field it does not name.</summary>
public enum UnknownFields
{
    /// <summary>A record with a value in such a field is dead-lettered (reason <c>contract</c>, rule <c>unknown_fields</c>).</summary>
    Reject,
    /// <summary>The field is removed from the output.</summary>
    Drop,
    /// <summary>The field passes through unchanged.</summary>
    Keep,
}
