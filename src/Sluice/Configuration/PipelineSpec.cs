namespace Sluice.Configuration;

/// <summary>The top level of a pipeline file, declared once for the loader, the docs and the JSON Schema.</summary>
internal static class PipelineSpec
{
    public static ObjectShape DeadLetter { get; } = new([
        new OptionSpec("max_ratio", Shape.Number,
            "Quality gate, checked at every checkpoint: the run fails (exit code 3; nothing after its last good checkpoint is published) when more than this share of the records read is dead-lettered. Between 0 and 1.",
            Example: "0.01"),
        new OptionSpec("max_count", Shape.Integer,
            "Quality gate, checked at every checkpoint: the run fails (exit code 3; nothing after its last good checkpoint is published) when more than this many records are dead-lettered.",
            Example: "100"),
    ]);

    public static ObjectShape Checkpoint { get; } = new([
        new OptionSpec("every_records", Shape.Integer,
            "Take a checkpoint after this many records read since the last one (0: no record trigger). Each checkpoint publishes the output written since the previous one; a crash redoes at most this much work.",
            Default: "1000000", Example: "100000"),
        new OptionSpec("every_seconds", Shape.Number,
            "Take a checkpoint after this many seconds since the last one (0: no time trigger); what bounds staleness for a slow or `--follow` run.",
            Default: "60", Example: "10"),
    ]);

    public static ObjectShape Retry { get; } = new([
        new OptionSpec("attempts", Shape.Integer, "Tries of one batch in all, the first included; 1 turns retrying off, 1,000,000 at most.", Default: "3"),
        new OptionSpec("delay", Shape.String, "Wait before the first retry (`250ms`, `2s`, `1m`); each next wait doubles it. At most `1d`, like every resilience duration.", Default: "200ms"),
        new OptionSpec("max_delay", Shape.String, "Longest wait between two tries (at most `1d`).", Default: "10s"),
        new OptionSpec("jitter", Shape.Boolean, "Randomise the waits, so that runs failing together do not retry in step.", Default: "true"),
        new OptionSpec("on", Shape.ListOf(Shape.OneOf(Shape.String, Shape.Integer)),
            "Which failures are tried again (the rest fail the stage at once): `io` (disk and file errors), `timeout`, `network` (connection refused, reset or dropped), HTTP statuses of the http source and sink, one (`409`) or a class (`5xx`). They also count for the circuit breaker.",
            Default: "[io, timeout, network, 408, 429, 5xx]", Example: "[network, timeout, 503]"),
    ]);

    public static ObjectShape CircuitBreaker { get; } = new([
        new OptionSpec("failure_ratio", Shape.Number, "Share of failed tries within `sampling` that opens the circuit (0 to 1).", Default: "0.5"),
        new OptionSpec("sampling", Shape.String, "The window the ratio is measured over, `500ms` to `1d`.", Default: "30s"),
        new OptionSpec("min_throughput", Shape.Integer, "Tries the window needs before the ratio counts.", Default: "10"),
        new OptionSpec("break", Shape.String, "How long the circuit stays open (`500ms` to `1d`): tries fail at once and the stage waits (its upstream backs up) until one trial try is let through.", Default: "15s"),
    ]);

    public static ObjectShape RateLimit { get; } = new([
        new OptionSpec("records_per_second", Shape.Number, "Records per second at most, on average.", Required: true, Example: "500"),
    ]);

    public static ObjectShape Resilience { get; } = new([
        new OptionSpec("retry", Retry, "Retries of a batch after a transient failure (I/O, timeouts, networks), with exponential backoff."),
        new OptionSpec("timeout", Shape.String, "Longest one try of a batch may take (`30s`; `10ms` to `1d`); none by default. It interrupts work that can be cancelled (a network write), not a transform computing.", Example: "30s"),
        new OptionSpec("circuit_breaker", CircuitBreaker, "Stop trying for a while when most tries fail; off by default."),
        new OptionSpec("rate_limit", RateLimit, "Handle at most so many records per second (e.g. to spare an API); the stage waits, and its upstream backs up. Off by default."),
        new OptionSpec("concurrency", Shape.Integer, "Batches a transform applies at the same time (a bulkhead), 1 to 64, for a transform that waits on something or keeps one core busy. Output keeps the input order and a checkpoint waits for every batch in flight. At the top level it applies to stateless transforms only; a stage's own `resilience` may not set it on a source, a sink (the http sink has `max_requests_in_flight`) or `dedupe`.",
            Default: "1", Example: "4"),
    ]);

    public static ObjectShape Expectation { get; } = new([
        new OptionSpec("row_count", Shape.Object(
                new OptionSpec("min", Shape.Integer, "Fewest records."),
                new OptionSpec("max", Shape.Integer, "Most records.")),
            "Records the run wrote (all sinks together) are within `min`/`max` (at least one).", Example: "{ min: 1000, max: 5000000 }"),
        new OptionSpec("row_count_change", Shape.Object(
                new OptionSpec("max_percent", Shape.Number, "Largest change, up or down, in percent.", Required: true)),
            "Records the run wrote differ by at most `max_percent` % from what the pipeline's previous succeeded run wrote; passes (with a note) when there is none.",
            Example: "{ max_percent: 20 }"),
        new OptionSpec("null_ratio", Shape.Object(
                new OptionSpec("column", Shape.String, "A column every sink receives.", Required: true),
                new OptionSpec("max", Shape.Number, "Largest share of nulls, 0 to 1.", Required: true)),
            "At most `max` of the records reaching the sinks have `column` null.", Example: "{ column: delay, max: 0.05 }"),
        new OptionSpec("distinct_count", Shape.Object(
                new OptionSpec("column", Shape.String, "A column every sink receives.", Required: true),
                new OptionSpec("min", Shape.Integer, "Fewest distinct values."),
                new OptionSpec("max", Shape.Integer, "Most distinct values.")),
            "The exact number of distinct non-null values of `column` reaching the sinks is within `min`/`max` (at least one). Every distinct value is kept in memory and in each checkpoint: for codes and categories, not for unique ids.",
            Example: "{ column: origin, min: 2 }"),
        new OptionSpec("freshness", Shape.Object(
                new OptionSpec("column", Shape.String, "A date or timestamp column every sink receives.", Required: true),
                new OptionSpec("max_age", Shape.String, "Oldest the newest value may be when the run ends (`30m`, `24h`).", Required: true)),
            "The newest value of `column` reaching the sinks is not older than `max_age` (a date counts as its midnight UTC); no value at all breaches it.",
            Example: "{ column: date, max_age: 24h }"),
        new OptionSpec("on_fail", Shape.Enum("fail", "warn"),
            "`fail`: a breach fails the run's quality gate (exit code 3) and its final checkpoint is not published; `warn`: the run succeeds and the breach is reported.",
            Default: "fail"),
    ]);

    public static ObjectShape Root { get; } = new([
        new OptionSpec("name", Shape.String, "The pipeline's name; runs and dead letters are filed under it.", Required: true, Example: "flights-clean"),
        new OptionSpec("description", Shape.String, "Free text for people reading the file."),
        new OptionSpec("plugins", Shape.ListOf(Shape.String),
            "Assemblies (.dll) with your own sources, transforms and sinks, which the `sluice` command loads before reading the rest of the file; paths are relative to this file. A plugin is code you run: list only assemblies you trust. See [extending.md](extending.md).",
            Example: "[plugins/MyStages.dll]"),
        new OptionSpec("source", new ComponentShape(StageKind.Source), "Where records come from (chain form). Its `type` picks a source below."),
        new OptionSpec("contract", Shape.OneOf(Shape.String, ContractOptions.Spec.Shape),
            "The contract every record must meet (chain form): inline, or the path of a YAML file holding `fields:` and `unknown_fields:`."),
        new OptionSpec("transforms", Shape.ListOf(new TransformShape()), "Transforms applied in order after the contract (chain form)."),
        new OptionSpec("sink", new ComponentShape(StageKind.Sink), "Where records go (chain form). Its `type` picks a sink below."),
        new OptionSpec("stages", Shape.ListOf(new StageShape()),
            "The graph form, instead of source/contract/transforms/sink: a list of named stages, each reading `from` earlier ones, so one source can feed several sinks."),
        new OptionSpec("dead_letter", DeadLetter, "Quality gate on dead letters."),
        new OptionSpec("expect", Shape.ListOf(Expectation),
            "Quality gates on the run's output, checked before its final checkpoint commits: each item has one of `row_count`, `row_count_change`, `null_ratio`, `distinct_count`, `freshness`, and optionally `on_fail`."),
        new OptionSpec("resilience", Resilience,
            "How transform stages, and sinks whose writes can be retried, ride out transient failures; permanent ones are not retried (a record that makes a transform throw is dead-lettered)."),
        new OptionSpec("checkpoint", Checkpoint,
            "How often the run commits a checkpoint (source positions, dead letters and output published together, exactly once). A run also checkpoints at its end and whenever 16,384 dead letters were written since the last one."),
        .. Alerts.AlertSpec.Options("pipeline", "the newest checkpoint that committed records"),
    ]);
}
