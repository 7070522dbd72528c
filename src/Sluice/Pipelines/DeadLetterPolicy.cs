using Sluice.Pipelines;
namespace Sluice;

/// <summary>The quality gate: a run whose dead letters exceed either bound fails (exit code 3) after it ends.</summary>
/// <param name="MaxRatio">Largest allowed share of dead-lettered records among records read; null for no bound.</param>
/// <param name="MaxCount">Largest allowed number of dead-lettered records; null for no bound.</param>
public sealed record DeadLetterPolicy(double? MaxRatio = null, long? MaxCount = null);
