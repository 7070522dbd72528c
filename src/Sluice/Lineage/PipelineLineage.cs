namespace Sluice.Lineage;

/// <summary>
/// Where a pipeline reads and writes: one input dataset per source, one output dataset per sink, each with its
/// columns and, for an output, where its columns come from. Recorded in the state store when a run starts (the
/// newest per pipeline: <see cref="IStateStore.ListLineageAsync"/>) and sent in OpenLineage run events.
/// </summary>
/// <param name="Pipeline">The pipeline's name (the OpenLineage job's name).</param>
/// <param name="RunId">The run that recorded it.</param>
/// <param name="UpdatedAt">When that run started (or resumed).</param>
public sealed record PipelineLineage(string Pipeline, string RunId, DateTimeOffset UpdatedAt,
    IReadOnlyList<DatasetLineage> Inputs, IReadOnlyList<DatasetLineage> Outputs);

/// <summary>A dataset a pipeline reads (a source's) or writes (a sink's).</summary>
/// <param name="Stage">The source or sink stage that reads or writes it.</param>
/// <param name="Namespace">The OpenLineage namespace, e.g. <c>file</c> or <c>postgres://db.example.com:5432</c>.</param>
/// <param name="Name">The OpenLineage name, e.g. <c>/data/in/*.csv</c> or <c>shop.public.orders</c>.</param>
/// <param name="Fields">Its columns in order: the contract's fields where a contract reads the source, else what the
/// stage knows.</param>
/// <param name="Columns">For an output, each column whose origin is known, with the input columns it comes from;
/// empty for an input.</param>
public sealed record DatasetLineage(string Stage, string Namespace, string Name, IReadOnlyList<LineageField> Fields,
    IReadOnlyList<ColumnLineage> Columns);

/// <summary>A column and its type as Sluice names types (<c>string</c>, <c>int64</c>, <c>timestamp</c>, …).</summary>
public sealed record LineageField(string Name, string Type);

/// <summary>An output column and the input columns it is made from.</summary>
public sealed record ColumnLineage(string Column, IReadOnlyList<ColumnOrigin> Inputs);

/// <summary>An input column of an input dataset that an output column is made from.</summary>
/// <param name="Computed">False when the value is copied (select, rename, a contract's typed reading); true when an
/// expression computes the output from it (derive). OpenLineage's transformation subtype IDENTITY or TRANSFORMATION.</param>
public sealed record ColumnOrigin(string Namespace, string Name, string Field, bool Computed);

/// <summary>A pipeline a flow's task ran: what links flows to the pipelines between datasets.</summary>
/// <param name="LastRunId">The newest pipeline run the task started.</param>
/// <param name="LastRunAt">When that run started.</param>
public sealed record FlowPipeline(string Flow, string Task, string Pipeline, string LastRunId, DateTimeOffset LastRunAt);
