namespace Sluice.Flows;

/// <summary>The flow file, declared once for the loader, <c>sluice flow schema</c> and the docs.</summary>
internal static class FlowSpec
{
    public static ObjectShape Parameter { get; } = new([
        new OptionSpec("default", Shape.Scalar, "The value when a run does not give one; without it the parameter must be given. May use `${partition}`."),
        new OptionSpec("description", Shape.String, "What the parameter means."),
    ]);

    public static ObjectShape Retries { get; } = new([
        new OptionSpec("count", Shape.Integer, "Attempts after the first, 0 to 1,000.", Required: true, Example: "3"),
        new OptionSpec("delay", Shape.String, "Wait before the first retry (`500ms`, `10s`, `5m`); it doubles before each next one.", Default: "1s"),
        new OptionSpec("max_delay", Shape.String, "Longest wait between two attempts.", Default: "1m"),
        new OptionSpec("jitter", Shape.Boolean, "Draw each wait between half of it and all of it, so that tasks failing together do not retry in step.", Default: "true"),
    ]);

    public static ObjectShape Cache { get; } = new([
        new OptionSpec("inputs", Shape.ListOf(Shape.String), "Globs of the files the task reads, relative to the flow file: their content is part of the key. A pipeline task's pipeline file counts without being listed.", Example: "[data/*.csv]"),
        new OptionSpec("expire", Shape.String, "How long a cached result serves (`12h`, `7d`); forever by default.", Example: "7d"),
    ]);

    public static ObjectShape Map { get; } = new([
        new OptionSpec("glob", Shape.String, "One instance per file matching this pattern (relative to the flow file), in name order; `${item}` is its full path.", Example: "\"in/*.csv\""),
        new OptionSpec("items", Shape.ListOf(Shape.String), "One instance per item of this list.", Example: "[eu, us, asia]"),
        new OptionSpec("lines_of", Shape.String, "One instance per item of this upstream task's result: the JSON array (or text, one item per line) a command wrote to `$SLUICE_RESULT`, or the array a mapped task's results make. The task must be in `depends_on`.", Example: "list_files"),
        new OptionSpec("parallel", Shape.Integer, "Instances running at once at most.", Default: "4"),
    ]);

    public static ObjectShape Schedule { get; } = new([
        new OptionSpec("cron", Shape.String, "Five fields, minute hour day month weekday (`0 2 * * *`: every day at 02:00), or six with seconds first. Quote it: YAML reads a leading `*` as an alias.", Required: true, Example: "\"0 2 * * *\""),
        new OptionSpec("time_zone", Shape.String, "The IANA time zone the hours are in. Daylight saving: a slot in the hour skipped in spring runs at the end of the gap, one in the hour repeated in autumn runs once.", Default: "UTC", Example: "Europe/Paris"),
        new OptionSpec("catch_up", Shape.Enum("latest", "all", "none"), "Which of the slots that passed while no `sluice serve` ran (or while the flow's previous run went on) run: `latest`, the newest only; `all`, each, oldest first; `none`, no slot that passed.", Default: "latest"),
    ]);

    public static ObjectShape Task { get; } = new([
        new OptionSpec("command", Shape.ListOf(Shape.String), "Run a program: its path (or name on PATH) then its arguments, no shell (write `[bash, -c, \"…\"]` for one). Exit code 0 completes the task. It gets SLUICE_FLOW, SLUICE_FLOW_RUN, SLUICE_TASK, SLUICE_ATTEMPT, SLUICE_ITEM, SLUICE_PARTITION, and SLUICE_RESULT: a file to write a JSON value to, which becomes its result's `value` (text that is not JSON becomes a string; at most 8 MB). Commands run again after a crash (once what the crashed attempt left running is stopped): make them idempotent, or cached.", Example: "[python3, extract.py, \"${params.date}\"]"),
        new OptionSpec("pipeline", Shape.String, "Run a pipeline file (relative to the flow file) in this process, on the flow's state file; a crashed attempt resumes from the pipeline run's checkpoint. Its result: run_id, state, records_read, records_written, dead_lettered, published.", Example: "clean.yaml"),
        new OptionSpec("params", Shape.MapOf(Shape.Scalar), "A pipeline task's values for the pipeline file's `${params.NAME}` references.", Example: "{ date: \"${params.date}\" }"),
        new OptionSpec("memory_limit", Shape.String, "A pipeline task's memory: it then runs in a `sluice run` process of its own, its batches and channels sized from the limit, and fails with a message (its last checkpoint standing) if the process goes above it — never the flow or the machine. At least `128MB`.", Example: "512MB"),
        new OptionSpec("env", Shape.MapOf(Shape.Scalar), "A command's environment variables, besides those it inherits."),
        new OptionSpec("workdir", Shape.String, "The folder a command runs in, relative to the flow file; the flow file's folder by default."),
        new OptionSpec("output_limit", Shape.Integer, "Characters of a command's output (stdout and stderr) kept, the last ones, 1 to 16777216; a longer line is cut to this many as it is read.", Default: "65536"),
        new OptionSpec("depends_on", Shape.ListOf(Shape.String), "Tasks that must complete (or be cached) first; if one fails or is skipped, this one is skipped. Their results are `${tasks.NAME}` here.", Example: "[extract]"),
        new OptionSpec("retries", Shape.OneOf(Shape.Integer, Retries), "Attempts after a failed one, with exponential backoff and jitter: a count (1 s doubling to 1 m), or `{ count, delay, max_delay, jitter }`.", Default: "0", Example: "{ count: 3, delay: 10s }"),
        new OptionSpec("timeout", Shape.String, "Longest one attempt may take (`30s`, `2h`); it is then stopped (a command killed with its children) and counts as failed.", Example: "15m"),
        new OptionSpec("cache", Shape.OneOf(Shape.Boolean, Cache), "Skip the task (state `cached`) when a result exists for the same key: its definition, the flow's parameters, its partition and item, its upstream results and its input files' content. `true`, or `{ inputs, expire }`.", Example: "{ inputs: [data/*.csv], expire: 7d }"),
        new OptionSpec("tags", Shape.ListOf(Shape.String), "Concurrency tags: the task runs only while fewer instances than the tag's limit (`limits:`) hold it, across every flow and process sharing the state file.", Example: "[warehouse]"),
        new OptionSpec("map", Map, "Run one instance per item of a list known when the task starts, `parallel` at a time; `${item}` is the instance's item, and the task's result is the list of its instances' results."),
    ]);

    public static ObjectShape Root { get; } = new([
        new OptionSpec("name", Shape.String, "The flow's name; its runs are filed under it.", Required: true, Example: "nightly"),
        new OptionSpec("description", Shape.String, "Free text for people reading the file."),
        new OptionSpec("params", Shape.MapOf(Shape.OneOf(Shape.Scalar, Parameter)), "The flow's parameters, `${params.NAME}` in tasks: each a default value, or `{ default, description }` (no default: every run must give it, `--param NAME=VALUE`).", Example: "{ date: \"2024-01-01\", region: { description: Where to extract } }"),
        new OptionSpec("tasks", Shape.MapOf(Task), "The tasks, by name: each has `command` or `pipeline`.", Required: true),
        new OptionSpec("max_parallel", Shape.Integer, "Task instances running at once at most in one flow run, mapped instances included.", Default: "8"),
        new OptionSpec("limits", Shape.MapOf(Shape.Integer), "The limit of each concurrency tag tasks name in `tags:`, held across every flow and process sharing the state file (flows sharing a tag should give it the same limit).", Example: "{ warehouse: 2 }"),
        new OptionSpec("schedule", Shape.OneOf(Shape.String, Schedule), "When `sluice serve` starts a run: a cron expression (in UTC), or `{ cron, time_zone, catch_up }`. Each slot runs once, even across restarts and with several `serve` processes on one state file. A partitioned flow's scheduled run computes the day before its slot's date.", Example: "{ cron: \"0 2 * * *\", time_zone: Europe/Paris }"),
        new OptionSpec("partitions", Shape.String, "One partition per day, each computed by its own run: `daily from 2024-01-01`, optionally `to 2024-12-31`. A partition is named by its date (`2024-01-31`), the `${partition}` of its run; `sluice flow backfill` runs the missing and failed ones.", Example: "daily from 2024-01-01"),
        new OptionSpec("on_mapped_failure", Shape.Enum("fail", "continue"), "`fail`: a mapped task whose instance failed fails (once all ended) and the tasks after it are skipped; `continue`: it completes, its result listing the failed instances.", Default: "fail"),
        .. Alerts.AlertSpec.Options("flow", "the end of its newest succeeded run"),
    ]);
}
