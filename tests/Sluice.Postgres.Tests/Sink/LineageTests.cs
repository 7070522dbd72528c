using System.Text.Json;
using Sluice.Postgres.Tests.TestSupport;
using Sluice.ServiceFixtures;

namespace Sluice.Postgres.Tests.Sink;

/// <summary>OpenLineage events of a run that writes to PostgreSQL, through <c>sluice run --lineage</c>.</summary>
public sealed class LineageTests(PostgresFixture fixture) : PostgresTest(fixture)
{
    [Fact]
    public async Task A_table_is_named_host_port_and_database_schema_table_and_no_event_holds_the_password()
    {
        await ExecuteAsync("CREATE TABLE orders (id bigint PRIMARY KEY, customer text, amount numeric(12,2), placed timestamptz)");
        Dir.Write("in/1.csv", Orders(1, 10));
        // The password written into the connection string itself, not taken from the environment.
        string pipeline = Pipeline($$"""
            name: orders
            source: { type: csv, path: "in/*.csv" }
            {{OrdersContract}}
            sink:
              type: postgres
              connection: "Host={{Server.Host}};Port={{Server.Port}};Database={{PostgresServer.Database}};Username={{PostgresServer.User}};Password={{Server.Password}};Search Path={{Schema}}"
              table: orders
            """);

        var run = await SluiceAsync("run", pipeline, "--lineage", Dir.File("events.jsonl"));

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        string text = File.ReadAllText(Dir.File("events.jsonl"));
        Assert.DoesNotContain(Server.Password, text);
        Assert.DoesNotContain(PostgresServer.User + "@", text);
        var events = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        Assert.Equal(["START", "COMPLETE"], events.Select(e => e.GetProperty("eventType").GetString()));
        var output = Assert.Single(events[1].GetProperty("outputs").EnumerateArray());
        Assert.Equal(($"postgres://{Server.Host}:{Server.Port}", $"{PostgresServer.Database}.{Schema}.orders"),
            (output.GetProperty("namespace").GetString(), output.GetProperty("name").GetString()));
        foreach (string file in Directory.GetFiles(Dir.Path, "*", SearchOption.AllDirectories).Where(f => f != pipeline))
        {
            Assert.DoesNotContain(Server.Password, System.Text.Encoding.UTF8.GetString(File.ReadAllBytes(file)));
        }
    }

    [Fact]
    public async Task A_source_table_found_along_the_search_path_is_named_in_its_schema_with_the_contracts_types()
    {
        await ExecuteAsync("CREATE TABLE things (id bigint PRIMARY KEY, name text)");
        await ExecuteAsync("INSERT INTO things VALUES (1, 'a'), (2, 'b')");
        string pipeline = Pipeline($$"""
            name: things
            source: { type: postgres, connection: "{{Connection}}", table: things }
            contract: { fields: { id: { type: int64 }, name: { type: string } } }
            sink: { type: jsonl, path: out }
            """);

        var run = await SluiceAsync("run", pipeline, "--lineage", Dir.File("events.jsonl"));

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        var complete = JsonDocument.Parse(File.ReadAllLines(Dir.File("events.jsonl"))[1]).RootElement;
        var input = Assert.Single(complete.GetProperty("inputs").EnumerateArray());
        Assert.Equal(($"postgres://{Server.Host}:{Server.Port}", $"{PostgresServer.Database}.{Schema}.things"),
            (input.GetProperty("namespace").GetString(), input.GetProperty("name").GetString()));
    }
}
