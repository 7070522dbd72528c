using Sluice.Replay;
namespace Sluice;

/// <summary>Dead letters that go through the same stages again, replayed by one run.</summary>
/// <param name="Source">The source whose parser reads the letters' original bytes.</param>
/// <param name="Stages">The stages the run has: the path from the source to each letter's stage, that stage and
/// everything downstream of it.</param>
/// <param name="Ids">The letters' ids, in the order they were stored.</param>
/// <param name="ByStage">How many letters each stage had rejected.</param>
public sealed record ReplayGroup(string Source, IReadOnlySet<string> Stages, IReadOnlyList<long> Ids, IReadOnlyDictionary<string, long> ByStage);
