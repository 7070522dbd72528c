using Sluice.Flows;
using System.Text;

namespace Sluice.DashboardData;

/// <summary>A stage as the state file records it: its name, kind code and the stages it reads from.</summary>
internal sealed record StageShape(string Name, string Kind, params string[] Inputs);

/// <summary>One way a record of a pipeline fails: at which stage, with which reason, field and rule, and a maker of
/// its message and original bytes (drawn at random, so a run's letters differ from one another).</summary>
internal sealed record LetterShape(string Stage, string Reason, string? Field, string? Rule, int Weight,
    Func<Random, (string Message, byte[] Original)> Make);

/// <summary>A pipeline whose runs fill the file: its stage graph, how often it runs relative to the others, how many
/// records a run reads and how long it takes, where its records come from (the input of a run started then, and the
/// position of its Nth record) and how they fail.</summary>
internal sealed record PipelineShape(string Name, StageShape[] Stages, int Weight, int MinRecords, int MaxRecords,
    TimeSpan TypicalDuration, Func<DateTimeOffset, string> Input, Func<DateTimeOffset, long, string> Position, LetterShape[] Letters);

/// <summary>The pipelines and the flow of the generated file, modelled on the repository's examples: the flights
/// cleaner (CSV), the clickstream loader (a Redis stream fanned out to PostgreSQL and Parquet), an orders export
/// (JSON Lines with a dedupe), and the nightly flow whose tasks run four small pipelines.</summary>
internal static class Shapes
{
    private static readonly string[] Airports = ["ATL", "ORD", "DFW", "DEN", "LAX", "JFK", "SFO", "SEA", "LAS", "MCO"];

    public static readonly PipelineShape Flights = new("flights-clean",
        [
            new("source", "source"), new("contract", "contract", "source"), new("filter", "transform", "contract"),
            new("derive", "transform", "filter"), new("select", "transform", "derive"), new("sink", "sink", "select"),
        ],
        Weight: 5, MinRecords: 20_000, MaxRecords: 3_000_000, TypicalDuration: TimeSpan.FromSeconds(4),
        Input: start => $"/srv/landing/flights/{start:yyyy-MM-dd'T'HH}.csv",
        Position: (_, line) => line.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Letters:
        [
            new("source", "parse", null, "field_count", 2, random => ("expected 5 fields, found 6", Csv(FlightRow(random) + ",X"))),
            new("source", "parse", "destination", "utf8", 1, random =>
                ("invalid UTF-8 at byte 29 of the record (field 5)", [.. Csv(FlightRow(random)[..^3]), 0xC0, 0xAF, (byte)'S', (byte)'F', (byte)'O'])),
            new("contract", "parse", "delay", "type", 4, random => ("'abc' is not a valid int64", Csv(FlightRow(random, delay: "abc")))),
            new("contract", "contract", "delay", "min", 2, random => ("delay = -500 is below the min -120", Csv(FlightRow(random, delay: "-500")))),
            new("contract", "contract", "distance", "required", 2, random => ("distance is required but missing", Csv(FlightRow(random, distance: "")))),
            new("contract", "contract", "origin", "pattern", 5, random =>
            {
                string origin = Airports[random.Next(Airports.Length)].ToLowerInvariant();
                return ($"origin = '{origin}' does not match ^[A-Z]{{3}}$", Csv(FlightRow(random, origin: origin)));
            }),
        ]);

    public static readonly PipelineShape Clicks = new("clickstream",
        [
            new("read", "source"), new("check", "contract", "read"), new("enrich", "transform", "check"),
            new("table", "sink", "enrich"), new("files", "sink", "enrich"),
        ],
        Weight: 8, MinRecords: 5_000, MaxRecords: 400_000, TypicalDuration: TimeSpan.FromMinutes(2),
        Input: _ => "clicks",
        // A stream entry id: the millisecond it was added (the run reads the hour before it started), then a sequence.
        Position: (start, entry) => $"{start.ToUnixTimeMilliseconds() - 3_600_000 + entry / 40}-{entry % 40}",
        Letters:
        [
            new("check", "contract", "country", "pattern", 5, random => ("country = 'usa' does not match ^[A-Z]{2}$", Click(random, country: "usa"))),
            new("check", "contract", "duration_ms", "min", 3, random => ("duration_ms = -1 is below the min 0", Click(random, duration: -1))),
            new("check", "parse", "ts", "type", 2, random => ("'yesterday' is not a valid timestamp", Click(random, ts: "yesterday"))),
            // Hostile input a dashboard must show as text, never run.
            new("check", "contract", "path", "pattern", 1, random =>
                ("path = '<script>alert(document.cookie)</script>' does not match ^/", Click(random, path: "<script>alert(document.cookie)</script>"))),
            new("table", "sink", null, null, 1, random =>
                ("22001: value too long for type character varying(2000) (column referrer)", Click(random, referrer: "https://example.com/?q=" + new string('x', 2100)))),
        ]);

    public static readonly PipelineShape Orders = new("orders-export",
        [
            new("source", "source"), new("contract", "contract", "source"), new("dedupe", "transform", "contract"),
            new("derive", "transform", "dedupe"), new("sink", "sink", "derive"),
        ],
        Weight: 2, MinRecords: 1_000, MaxRecords: 200_000, TypicalDuration: TimeSpan.FromSeconds(20),
        Input: start => $"/srv/exports/orders/{start:yyyy-MM-dd}.jsonl",
        Position: (_, line) => line.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Letters:
        [
            new("source", "parse", null, "json", 1, random => ("expected ',' or '}' after a property value at byte 61", Order(random)[..^2])),
            new("contract", "contract", "currency", "enum", 3, random => ("currency = 'usd' is not one of EUR, GBP, USD", Order(random, currency: "usd"))),
            new("derive", "transform", "unit_price", null, 2, random => ("division by zero in total / quantity", Order(random, quantity: 0))),
        ]);

    public static readonly PipelineShape[] Pipelines = [Flights, Clicks, Orders];

    /// <summary>The nightly flow's tasks in order: a command, the validate pipeline, three metrics pipelines that
    /// depend on it, and a report command (examples/nightly/flow.yaml).</summary>
    public static readonly (string Task, PipelineShape? Pipeline)[] NightlyTasks =
    [
        ("extract", null), ("validate", Linear("validate", Flights.Letters)), ("delayed", Linear("delayed", [])),
        ("long_haul", Linear("long_haul", [])), ("early", Linear("early", [])), ("report", null),
    ];

    /// <summary>The nightly flow's task graph as a flow run stores it (flow_runs.task_graph, migration 15), so that the
    /// flow run page is measured drawing it.</summary>
    public static readonly string NightlyGraph = new FlowTaskGraph([
        new("extract", "command", false, []), new("validate", "pipeline", false, ["extract"]),
        new("delayed", "pipeline", false, ["validate"]), new("long_haul", "pipeline", false, ["validate"]),
        new("early", "pipeline", false, ["validate"]), new("report", "command", false, ["validate", "delayed", "long_haul", "early"]),
    ]).ToJson();

    private static PipelineShape Linear(string name, LetterShape[] letters) => new(name,
        letters.Length > 0
            ? [new("source", "source"), new("contract", "contract", "source"), new("sink", "sink", "contract")]
            : [new("source", "source"), new("filter", "transform", "source"), new("sink", "sink", "filter")],
        Weight: 0, MinRecords: 10_000, MaxRecords: 20_000, TypicalDuration: TimeSpan.FromSeconds(1),
        Input: start => $"/srv/nightly/work/{start.AddDays(-1):yyyy-MM-dd}/flights.csv", Position: Flights.Position, letters);

    private static string FlightRow(Random random, string? delay = null, string? distance = null, string? origin = null) =>
        $"2001/{random.Next(1, 7):00}/{random.Next(1, 29):00} {random.Next(24):00}:{random.Next(60):00}," +
        $"{delay ?? random.Next(-20, 180).ToString(System.Globalization.CultureInfo.InvariantCulture)}," +
        $"{distance ?? random.Next(80, 2600).ToString(System.Globalization.CultureInfo.InvariantCulture)}," +
        $"{origin ?? Airports[random.Next(Airports.Length)]},{Airports[random.Next(Airports.Length)]}";

    private static byte[] Click(Random random, string? country = null, long? duration = null, string? ts = null, string? path = null,
        string? referrer = null) => Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["event_id"] = random.NextInt64(1, 50_000_000),
            ["user_id"] = $"u{random.Next(1_000_000):000000}",
            ["session_id"] = random.Next().ToString("x8", System.Globalization.CultureInfo.InvariantCulture),
            ["path"] = path ?? $"/products/{random.Next(1, 5000)}",
            ["referrer"] = referrer,
            ["device"] = random.Next(3) switch { 0 => "mobile", 1 => "desktop", _ => "tablet" },
            ["country"] = country ?? "US",
            ["ts"] = ts ?? "2026-11-30T10:15:00Z",
            ["duration_ms"] = duration ?? random.Next(200, 90_000),
        }));

    private static byte[] Order(Random random, string currency = "EUR", int? quantity = null) => Encoding.UTF8.GetBytes(
        $$"""{"order_id":{{random.Next(1, 9_000_000)}},"customer":"c{{random.Next(100_000):000000}}","currency":"{{currency}}","quantity":{{quantity ?? random.Next(1, 12)}},"total":{{random.Next(100, 90_000) / 100.0:0.00}}}""");

    private static byte[] Csv(string row) => Encoding.UTF8.GetBytes(row);
}
