using Sluice.Bench;

// The peers of bench/run.sh, each run as its own process so its time and peak memory are its own. Every job
// command prints the number of rows it wrote on stdout, which the script compares across contenders.
const string Usage = """
    usage: Sluice.Bench duckdb csv|csv-lenient|jsonl|parquet INPUT OUTPUT.parquet
           Sluice.Bench hand csv|jsonl|parquet INPUT OUTPUT.parquet
           Sluice.Bench redis-fill REDIS STREAM COUNT     click events 1..COUNT into a stream (bench/services.sh)
           Sluice.Bench hand-stream REDIS STREAM GROUP POSTGRES TABLE BATCH   XREADGROUP + COPY + XACK by hand
           Sluice.Bench pg-load FLIGHTS.parquet POSTGRES TABLE   the flights into a new table
           Sluice.Bench hand-table POSTGRES TABLE OUTPUT.parquet   the flights job from the table by hand
           Sluice.Bench count FILE-OR-FOLDER      rows in a Parquet file, or in every *.parquet of a folder
           Sluice.Bench fingerprint FILE-OR-FOLDER   rows, sums and a hash of a job's Parquet output
           Sluice.Bench sql "STATEMENTS"          runs DuckDB SQL, prints result rows tab-separated
           Sluice.Bench report RESULTS.csv        the markdown tables of docs/benchmarks.md
           Sluice.Bench chart-data RESULTS.csv JOBS.dat SCALE.dat   median wall times for bench/chart.gp
    """;

try
{
    switch (args)
    {
        case ["duckdb", var format, var input, var output]:
            Console.WriteLine(DuckDbJob.Run(format, input, output));
            return 0;
        case ["hand", var format, var input, var output]:
            Console.WriteLine(HandJob.Run(format, input, output));
            return 0;
        case ["redis-fill", var redis, var stream, var count]:
            Console.WriteLine(await Clicks.FillAsync(redis, stream, long.Parse(count, System.Globalization.CultureInfo.InvariantCulture)));
            return 0;
        case ["hand-stream", var redis, var stream, var group, var postgres, var table, var batch]:
            Console.WriteLine(await HandStreamToTable.RunAsync(redis, stream, group, postgres, table, int.Parse(batch, System.Globalization.CultureInfo.InvariantCulture)));
            return 0;
        case ["pg-load", var parquet, var postgres, var table]:
            Console.WriteLine(await HandTableToParquet.LoadAsync(parquet, postgres, table));
            return 0;
        case ["hand-table", var postgres, var table, var output]:
            Console.WriteLine(await HandTableToParquet.RunAsync(postgres, table, output));
            return 0;
        case ["count", var path]:
            Console.WriteLine(ParquetCount.Rows(path));
            return 0;
        case ["fingerprint", var path]:
            Console.WriteLine(Fingerprint.Of(path));
            return 0;
        case ["sql", var sql]:
            DuckDbJob.Print(sql, Console.Out);
            return 0;
        case ["report", var results]:
            Console.Write(new Report(Measurement.Load(results)).Markdown());
            return 0;
        case ["chart-data", var results, var jobs, var scale]:
            var report = new Report(Measurement.Load(results));
            File.WriteAllText(jobs, report.JobsChartData());
            File.WriteAllText(scale, report.ScaleChartData());
            return 0;
        default:
            Console.Error.WriteLine(Usage);
            return 2;
    }
}
catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or DuckDB.NET.Data.DuckDBException
    or Npgsql.NpgsqlException or StackExchange.Redis.RedisException)
{
    Console.Error.WriteLine($"Sluice.Bench: {e.Message}");
    return 1;
}
