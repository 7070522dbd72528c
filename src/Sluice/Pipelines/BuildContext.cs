using Sluice.Pipelines;
namespace Sluice.Extensibility;

/// <summary>What stage factories need to know about the run they are built for.</summary>
public sealed class BuildContext
{
    public BuildContext(string baseDirectory, string runId)
    {
        BaseDirectory = baseDirectory;
        RunId = runId;
    }

    /// <summary>Relative paths in options resolve against this folder (the pipeline file's folder).</summary>
    public string BaseDirectory { get; }

    /// <summary>The run being built; sinks use it to name their output files uniquely.</summary>
    public string RunId { get; }

    /// <summary>The pipeline's name (<c>name:</c>): with <see cref="StageName"/>, what identifies a stage's output
    /// across runs, e.g. in the commit markers a database sink keeps beside its table.</summary>
    public string PipelineName { get; init; } = "";

    /// <summary>The name of the stage being built; empty for a context that builds no one stage.</summary>
    public string StageName { get; init; } = "";

    /// <summary>Rows per batch a source should emit (a batch never spans two files).</summary>
    public int BatchSize { get; init; } = 8192;

    /// <summary>Values one batch may hold: 8,192 rows of 128 columns. A wider input gets fewer rows per batch, so
    /// that memory stays bounded by this rather than by the input's width (a 50,000-column file took 2.2 GB).</summary>
    public const int MaxBatchValues = 1 << 20;

    /// <summary>Rows per batch for a source of <paramref name="columns"/> columns: <see cref="BatchSize"/>, or fewer
    /// when the input is so wide that a batch would hold more than <see cref="MaxBatchValues"/> values.</summary>
    public int BatchRows(int columns) => Math.Clamp(MaxBatchValues / Math.Max(1, columns), 1, BatchSize);

    /// <summary>Set for a source that feeds a contract: the columns the contract expects and whether it keeps
    /// fields it does not name. Sources whose records carry their own keys (JSONL) use it to choose columns.</summary>
    public SourceReadHint? ReadHint { get; init; }

    /// <summary>Set when the run follows its input (<c>--follow</c>): file sources keep polling their glob this
    /// often for new files instead of ending.</summary>
    public TimeSpan? FollowPoll { get; init; }

    /// <summary>Whether <c>${env:NAME}</c> secrets are read now. False when the pipeline is only checked
    /// (<c>sluice validate</c>, in CI say), where the secrets need not be set: nothing will be sent.</summary>
    public bool ResolveSecrets { get; init; } = true;

    /// <summary>The pipeline's resilience policy, for a source that retries its own reads (an API).</summary>
    public ResiliencePolicy Resilience { get; init; } = new();

    /// <summary>This context for building stage <paramref name="name"/>.</summary>
    internal BuildContext ForStage(string name) => new(BaseDirectory, RunId)
    {
        PipelineName = PipelineName,
        StageName = name,
        BatchSize = BatchSize,
        ReadHint = ReadHint,
        FollowPoll = FollowPoll,
        ResolveSecrets = ResolveSecrets,
        Resilience = Resilience,
    };

    public string Resolve(string path) => Path.GetFullPath(Path.Combine(BaseDirectory, path));
}

/// <param name="Columns">Fields the downstream contract names, in its order.</param>
/// <param name="UnknownFields">What the contract does with other fields.</param>
public sealed record SourceReadHint(IReadOnlyList<string> Columns, UnknownFields UnknownFields);
