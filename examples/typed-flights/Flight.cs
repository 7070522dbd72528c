using Sluice;

namespace TypedFlights;

/// <summary>A row of the flights CSV (<c>date,delay,distance,origin,destination</c>). Non-nullable properties are
/// required by the contract; <c>Delay</c> may be missing.</summary>
public sealed record Flight(
    [Column(Format = "yyyy/MM/dd HH:mm")] DateTime Date,
    long? Delay,
    long Distance,
    string Origin,
    string Destination);

/// <summary>A cleaned flight, as examples/flights/pipeline.yaml writes it.</summary>
public sealed record Clean(DateTime Date, long? Delay, long Distance, string Route, bool? Late);
