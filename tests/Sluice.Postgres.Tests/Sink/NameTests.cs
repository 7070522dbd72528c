using System.Text;
using Sluice.Postgres.Sink;

namespace Sluice.Postgres.Tests.Sink;

/// <summary>How the <c>table</c> option is read, and the names staging tables get (no server needed).</summary>
public sealed class NameTests
{
    [Theory]
    [InlineData("orders", null, "orders", "\"orders\"")]
    [InlineData("Orders", null, "orders", "\"orders\"")]
    [InlineData("Sales.Orders", "sales", "orders", "\"sales\".\"orders\"")]
    [InlineData("\"Sales\".\"Order Lines\"", "Sales", "Order Lines", "\"Sales\".\"Order Lines\"")]
    [InlineData("\"a\"\"b\".\"x.y\"", "a\"b", "x.y", "\"a\"\"b\".\"x.y\"")]
    [InlineData("s.\"Robert'); DROP TABLE students;--\"", "s", "Robert'); DROP TABLE students;--", "\"s\".\"Robert'); DROP TABLE students;--\"")]
    public void A_table_name_is_read_as_sql_reads_it_and_always_quoted(string written, string? schema, string name, string sql)
    {
        var table = TableName.TryParse(written, out string? problem);

        Assert.Null(problem);
        Assert.Equal(new TableName(schema, name), table);
        Assert.Equal(sql, table!.Sql);
    }

    [Theory]
    [InlineData("", "the name is empty")]
    [InlineData("a.b.c", "a name of another database (db.schema.table) is not supported")]
    [InlineData("my table", "unexpected ' ' at character 3")]
    [InlineData("\"open", "a quoted name is not closed")]
    [InlineData("s.", "a name is missing after the '.'")]
    [InlineData("1abc", "'1abc' is not a name")]
    [InlineData("\"\"", "an empty name")]
    public void A_malformed_table_name_says_what_to_write(string written, string expected)
    {
        Assert.Null(TableName.TryParse(written, out string? problem));
        Assert.Contains(expected, problem);
    }

    [Fact]
    public void A_name_longer_than_63_bytes_is_refused_rather_than_cut_short()
    {
        Assert.NotNull(TableName.TryParse(new string('a', 63), out _));
        Assert.Null(TableName.TryParse(new string('é', 32), out string? problem)); // 64 bytes
        Assert.Contains("is 64 bytes long; PostgreSQL names have at most 63", problem);
    }

    [Theory]
    [InlineData("20261205-075105-efd02b")]
    [InlineData("a run id of a C# host, far longer than twenty-four characters")]
    [InlineData("UPPER_and_underscores")]
    public void Staging_names_fit_postgres_and_are_found_by_their_runs_prefix(string runId)
    {
        var names = new StagingNames("a pipeline with a long name", "sink", runId);

        string first = names.Next();
        string second = names.Next();

        Assert.True(Encoding.UTF8.GetByteCount(first) <= 62, first);
        Assert.Matches("^sluice_stage_[0-9a-f]{8}_[a-z0-9-]+_[0-9a-f]{6}_000001$", first);
        Assert.StartsWith(names.ForRun(runId), first);
        Assert.Equal(names.ForRun(runId), names.RunPrefixOf(second));
        Assert.DoesNotContain("_", names.ForRun(runId)[(names.ForRun(runId).IndexOf('_', 13) + 1)..^1]);
        // Another sink instance (a resumed attempt) never makes the same names; another stage or pipeline has another prefix.
        Assert.NotEqual(first, new StagingNames("a pipeline with a long name", "sink", runId).Next());
        Assert.NotEqual(names.ForRun(runId), new StagingNames("a pipeline with a long name", "sink2", runId).ForRun(runId));
        Assert.Null(new StagingNames("other", "sink", runId).RunPrefixOf(first));
    }
}
