using System.Globalization;

namespace Sluice.CrashHarness.Services;

/// <summary>What is wrong with a planted bad entry, and so which stage dead-letters it.</summary>
internal enum EntryFault
{
    None,

    /// <summary>The source cannot read it (reason <c>parse</c>); each stream makes it unreadable in its own way.</summary>
    Unreadable,

    /// <summary>A non-integer in an int64 field: the contract rejects it (reason <c>contract</c>).</summary>
    Contract,

    /// <summary>A NUL character in the name: PostgreSQL text cannot hold it, so the sink rejects it (reason <c>sink</c>).</summary>
    Sink,
}

/// <summary>One entry the producer writes: its fields as text (in this order; an optional field that is null is left
/// out, so the source reads it as missing), the row a correct pipeline writes for it, and what is wrong with it.</summary>
internal sealed record ServiceEntry(IReadOnlyList<(string Field, string Value)> Fields, ServiceRow Row, EntryFault Fault, int Variant)
{
    /// <summary>The dead letter a bad entry must get: the stage that rejects it, its reason and, where the harness
    /// knows it for every stream, its rule; null for a good one. The contract reports a value that is not of its
    /// type as reason <c>parse</c>, rule <c>type</c> (docs/pipeline-file.md, contract).</summary>
    public ExpectedLetter? Letter => Fault switch
    {
        EntryFault.Unreadable => new ExpectedLetter("source", "parse", null),
        EntryFault.Contract => new ExpectedLetter("contract", "parse", "type"),
        EntryFault.Sink => new ExpectedLetter("sink", "sink", null),
        _ => null,
    };
}

/// <summary>A row of the target table (<c>id, grp, amount, name, tag</c>): the unit of comparison.</summary>
internal readonly record struct ServiceRow(long Id, long Grp, long? Amount, string Name, string? Tag)
{
    /// <summary>64-bit FNV-1a of the row's canonical text; summed over a multiset it is order-independent.</summary>
    public ulong Hash() => OutputRow.Fnv1a(string.Create(CultureInfo.InvariantCulture,
        $"{Id}|{Grp}|{(Amount is { } a ? a.ToString(CultureInfo.InvariantCulture) : "null")}|{Name}|{Tag ?? "null"}"));
}

/// <summary>The stage, reason and (when not null) rule a planted bad entry's dead letter must have.</summary>
internal sealed record ExpectedLetter(string Stage, string Reason, string? Rule)
{
    public bool Matches(string stage, string reason, string? rule) => stage == Stage && reason == Reason && (Rule is null || rule == Rule);

    public override string ToString() => $"{Stage}/{Reason}{(Rule is null ? "" : "/" + Rule)}";
}
