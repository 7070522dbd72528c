using DuckDB.NET.Data;

namespace Sluice.Bench;

/// <summary>The job as one DuckDB <c>COPY … TO parquet</c> statement: the contract is a WHERE clause, because
/// DuckDB has no dead-letter queue — a row that fails is dropped, not kept with its reason.</summary>
internal static class DuckDbJob
{
    private const string AirportCode = "'[A-Z]{3}'";

    private const string Columns =
        "{'date': 'TIMESTAMP', 'delay': 'BIGINT', 'distance': 'BIGINT', 'origin': 'VARCHAR', 'destination': 'VARCHAR'}";

    /// <summary>Runs the job on <paramref name="input"/>; returns the rows written.</summary>
    /// <param name="format"><c>csv</c>, <c>jsonl</c>, <c>parquet</c>, or <c>csv-lenient</c>: CSV whose rows that do
    /// not parse are skipped (<c>ignore_errors</c>) instead of failing the statement.</param>
    public static long Run(string format, string input, string output)
    {
        string source = format switch
        {
            "csv" => $"read_csv({Quote(input)}, header = true, auto_detect = false, columns = {Columns})",
            "csv-lenient" => $"read_csv({Quote(input)}, header = true, auto_detect = false, columns = {Columns}, ignore_errors = true)",
            "jsonl" => $"read_json({Quote(input)}, format = 'newline_delimited', columns = {Columns})",
            "parquet" => $"read_parquet({Quote(input)})",
            _ => throw new ArgumentException($"unknown input format '{format}'; use csv, csv-lenient, jsonl or parquet"),
        };
        string sql = $"""
            COPY (
              SELECT date, delay, distance, origin, destination,
                     delay > {FlightsJob.LateAbove} AS late, origin || '-' || destination AS route
              FROM {source}
              WHERE date IS NOT NULL
                AND (delay IS NULL OR delay BETWEEN {FlightsJob.DelayMin} AND {FlightsJob.DelayMax})
                AND distance >= {FlightsJob.DistanceMin}
                AND regexp_full_match(origin, {AirportCode}) AND regexp_full_match(destination, {AirportCode})
                AND delay > {FlightsJob.FilterDelayAbove}
            ) TO {Quote(output)} (FORMAT parquet, COMPRESSION zstd)
            """;
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        // COPY reports the rows it wrote as the rows affected.
        return command.ExecuteNonQuery();
    }

    /// <summary>Runs <paramref name="sql"/> and prints every result row tab-separated (used to prepare inputs).</summary>
    public static void Print(string sql, TextWriter output)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var values = new object[reader.FieldCount];
        do
        {
            while (reader.Read())
            {
                reader.GetValues(values);
                output.WriteLine(string.Join('\t', values));
            }
        }
        while (reader.NextResult());
    }

    private static DuckDBConnection Open()
    {
        var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        return connection;
    }

    private static string Quote(string path) => "'" + path.Replace("'", "''") + "'";
}
