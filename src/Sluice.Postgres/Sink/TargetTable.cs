using Apache.Arrow;
using Npgsql;

namespace Sluice.Postgres.Sink;

/// <summary>
/// The table the sink writes, looked up (and with <c>create: true</c> created) when the pipeline is built, and its fit
/// with the input checked then: every input column must be a column of the table of a type it can go into, and every
/// NOT NULL column without a default must be in the input; an upsert's key must have a unique index. Every misfit is
/// found in one pass and reported together, before any data moves.
/// </summary>
internal sealed class TargetTable
{
    /// <summary>The table where the sink keeps its commit markers, in the target table's schema.</summary>
    public const string MarkerTable = "sluice_commits";

    /// <summary>The staging tables' column that keeps the order of the records in a unit, so an upsert keeps the last
    /// record of a key.</summary>
    public const string SequenceColumn = "sluice_seq";

    private TargetTable(string schema, string name, IReadOnlyList<ColumnWriter> writers, IReadOnlyList<string> key)
    {
        Schema = schema;
        Name = name;
        Writers = writers;
        Key = key;
    }

    /// <summary>The schema the table is in (where the staging tables and the markers go too).</summary>
    public string Schema { get; }

    public string Name { get; }

    public string Sql => $"{TableName.Quote(Schema)}.{TableName.Quote(Name)}";

    public string MarkersSql => $"{TableName.Quote(Schema)}.{TableName.Quote(MarkerTable)}";

    public override string ToString() => new TableName(Schema, Name).ToString();

    /// <summary>One writer per input column, in input order.</summary>
    public IReadOnlyList<ColumnWriter> Writers { get; }

    /// <summary>The upsert key as the table names its columns; empty for append.</summary>
    public IReadOnlyList<string> Key { get; }

    /// <summary>Finds the table (creating it when <paramref name="mayCreate"/> and the options say so), checks the input
    /// against it and returns it; null, with the problems added to <paramref name="problems"/>, when it does not fit.</summary>
    /// <param name="mayCreate">False when the pipeline is only checked: a missing table that <c>create: true</c> would
    /// create is then fine, and nothing is changed in the database.</param>
    public static TargetTable? Open(NpgsqlConnection connection, TableName name, Schema input, PostgresSinkOptions options,
        bool mayCreate, List<string> problems)
    {
        var found = Find(connection, name);
        if (found is null)
        {
            if (!options.Create)
            {
                problems.Add($"table {name} does not exist in database '{connection.Database}' (create it, or set create: true to create it from the input's columns)");
                return null;
            }
            string? schema = CreatableSchema(connection, name, problems);
            if (schema is null || !mayCreate)
            {
                return null;
            }
            Create(connection, new TableName(schema, name.Name), input, options);
            found = Find(connection, new TableName(schema, name.Name))
                ?? throw new InvalidOperationException($"table {name} was created but cannot be found");
        }
        var (oid, schemaName, tableName, kind, mayInsert, mayUpdate, mayCreateIn) = found.Value;
        var display = new TableName(schemaName, tableName);
        if (kind is not ('r' or 'p'))
        {
            problems.Add($"{display} is {KindName(kind)}, not a table: the postgres sink writes into a table");
            return null;
        }
        if (tableName == MarkerTable)
        {
            problems.Add($"{display} is where the postgres sink keeps its commit markers; write into another table");
            return null;
        }
        int before = problems.Count;
        if (!mayInsert || (options.Mode == PostgresWriteMode.Upsert && !mayUpdate))
        {
            problems.Add($"user '{connection.UserName}' may not {(options.Mode == PostgresWriteMode.Upsert ? "INSERT and UPDATE" : "INSERT")} into {display}: GRANT it");
        }
        if (!mayCreateIn)
        {
            problems.Add($"user '{connection.UserName}' may not create tables in schema {TableName.Quote(schemaName)}, which the sink needs for its staging tables and its {MarkerTable} table: GRANT CREATE ON SCHEMA {TableName.Quote(schemaName)} TO {TableName.Quote(connection.UserName ?? "")}");
        }
        var columns = Columns(connection, oid);
        var writers = Fit(display, columns, input, options, problems);
        var key = options.Key.Select(k => Match(columns, k)?.Name ?? k).ToList();
        if (options.Mode == PostgresWriteMode.Upsert && writers is not null && !HasUniqueIndex(connection, oid, key))
        {
            string list = string.Join(", ", key.Select(TableName.Quote));
            problems.Add($"upsert on key ({list}) needs a primary key or a unique index on exactly those columns in {display} (ON CONFLICT uses it); add one: ALTER TABLE {display} ADD PRIMARY KEY ({list})");
        }
        return problems.Count > before || writers is null ? null : new TargetTable(schemaName, tableName, writers, key);
    }

    /// <summary>Creates the sink's marker table when it is missing.</summary>
    public void CreateMarkerTable(NpgsqlConnection connection)
    {
        try
        {
            Execute(connection, $"""
                CREATE TABLE IF NOT EXISTS {MarkersSql} (
                    pipeline text NOT NULL,
                    sink text NOT NULL,
                    token text NOT NULL,
                    committed_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (pipeline, sink, token))
                """);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateTable)
        {
            // Another sink created it at the same moment (IF NOT EXISTS does not guard against that): it exists.
        }
    }

    private static (uint Oid, string Schema, string Name, char Kind, bool MayInsert, bool MayUpdate, bool MayCreateIn)? Find(
        NpgsqlConnection connection, TableName name)
    {
        using var command = new NpgsqlCommand("""
            SELECT c.oid, n.nspname, c.relname, c.relkind,
                   has_table_privilege(c.oid, 'INSERT'), has_table_privilege(c.oid, 'UPDATE'), has_schema_privilege(n.oid, 'CREATE')
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.oid = to_regclass($1)
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = name.Sql });
        using var reader = command.ExecuteReader();
        return reader.Read()
            ? (reader.GetFieldValue<uint>(0), reader.GetString(1), reader.GetString(2), reader.GetChar(3), reader.GetBoolean(4), reader.GetBoolean(5), reader.GetBoolean(6))
            : null;
    }

    /// <summary>The schema a missing table would be created in (the one named, or the first of the search_path), when
    /// it exists and the user may create tables in it.</summary>
    private static string? CreatableSchema(NpgsqlConnection connection, TableName name, List<string> problems)
    {
        using var command = new NpgsqlCommand(
            "SELECT n.nspname, has_schema_privilege(n.oid, 'CREATE') FROM pg_namespace n WHERE n.nspname = coalesce($1, current_schema())", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)name.Schema ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            problems.Add(name.Schema is null
                ? $"table {name} does not exist and cannot be created: the connection's search_path names no existing schema; write schema.{name.Name}"
                : $"table {name} does not exist and cannot be created: schema {TableName.Quote(name.Schema)} does not exist (CREATE SCHEMA it first)");
            return null;
        }
        string schema = reader.GetString(0);
        if (!reader.GetBoolean(1))
        {
            problems.Add($"table {name} does not exist, and user '{connection.UserName}' may not create tables in schema {TableName.Quote(schema)}: create the table, or GRANT CREATE ON SCHEMA {TableName.Quote(schema)}");
            return null;
        }
        return schema;
    }

    private static void Create(NpgsqlConnection connection, TableName name, Schema input, PostgresSinkOptions options)
    {
        var columns = input.FieldsList.Select(f => $"{TableName.Quote(f.Name)} {ColumnTypes.Declare(f)}").ToList();
        if (options.Key.Count > 0)
        {
            columns.Add($"PRIMARY KEY ({string.Join(", ", options.Key.Select(TableName.Quote))})");
        }
        Execute(connection, $"CREATE TABLE IF NOT EXISTS {name.Sql} ({string.Join(", ", columns)})");
    }

    private static List<TableColumn> Columns(NpgsqlConnection connection, uint table)
    {
        // A domain is read as its base type (its own checks are enforced by the COPY into staging, which has it).
        using var command = new NpgsqlCommand("""
            SELECT a.attname, b.typname,
                   CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END,
                   format_type(a.atttypid, a.atttypmod), a.attnotnull, a.atthasdef OR a.attidentity <> '',
                   a.attidentity <> 'a' AND a.attgenerated = ''
            FROM pg_attribute a
            JOIN pg_type t ON t.oid = a.atttypid
            JOIN pg_type b ON b.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
            WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY a.attnum
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = table, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Oid });
        using var reader = command.ExecuteReader();
        var columns = new List<TableColumn>();
        while (reader.Read())
        {
            columns.Add(new TableColumn(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetString(3),
                reader.GetBoolean(4), reader.GetBoolean(5), reader.GetBoolean(6)));
        }
        return columns;
    }

    /// <summary>A writer for each input column, or null with the misfits added to <paramref name="problems"/>.</summary>
    private static List<ColumnWriter>? Fit(TableName table, List<TableColumn> columns, Schema input, PostgresSinkOptions options, List<string> problems)
    {
        int before = problems.Count;
        var writers = new List<ColumnWriter>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < input.FieldsList.Count; i++)
        {
            var field = input.FieldsList[i];
            string inputType = ColumnTypes.Describe(field.DataType);
            if (Match(columns, field.Name) is not { } column)
            {
                string declare = ColumnTypes.InputOf(field.DataType) is null ? "" : $": ALTER TABLE {table} ADD COLUMN {TableName.Quote(field.Name)} {ColumnTypes.Declare(field)}";
                problems.Add($"table {table} has no column {TableName.Quote(field.Name)} (the input's {inputType} column); add it{declare}, or leave it out of the input (select)");
                continue;
            }
            used.Add(column.Name);
            if (!column.Writable)
            {
                problems.Add($"column {TableName.Quote(column.Name)} of {table} is generated by the database and cannot be written; leave it out of the input (select)");
                continue;
            }
            if (ColumnWriter.For(i, field, column) is not { } writer)
            {
                var accepting = ColumnTypes.InputOf(field.DataType) is { } kind ? ColumnTypes.Accepting(kind) : [];
                problems.Add($"column {TableName.Quote(column.Name)} of {table} is {column.Declared}, but the input's {TableName.Quote(field.Name)} is {inputType}" +
                    (accepting.Count > 0 ? $", which goes into {string.Join(", ", accepting.Select(SqlName))} columns" : "") +
                    "; change the column's type, or convert the input (derive with CAST)");
                continue;
            }
            bool isKey = options.Key.Any(k => ReferenceEquals(Match(columns, k), column));
            writer.OnNull = isKey
                ? new Refusal("not_null", $"null in key column {TableName.Quote(column.Name)}: an upsert needs every key column")
                : column.NotNull ? new Refusal("not_null", $"null, but column {TableName.Quote(column.Name)} of {table} is NOT NULL") : null;
            writers.Add(writer);
        }
        foreach (var column in columns.Where(c => c.NotNull && !c.HasDefault && c.Writable && !used.Contains(c.Name)))
        {
            problems.Add($"column {TableName.Quote(column.Name)} of {table} is NOT NULL without a default, but the input has no such column; add it to the input (derive), or give the column a default");
        }
        return problems.Count > before ? null : writers;
    }

    /// <summary>The table's column named <paramref name="name"/>: the same name, else the one name that differs only in
    /// case (a table created without quotes has lower-case names).</summary>
    private static TableColumn? Match(List<TableColumn> columns, string name) =>
        columns.FirstOrDefault(c => c.Name == name)
        ?? (columns.Where(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase)).ToList() is [var only] ? only : null);

    private static bool HasUniqueIndex(NpgsqlConnection connection, uint table, List<string> key)
    {
        using var command = new NpgsqlCommand("""
            SELECT array(SELECT a.attname::text FROM unnest(i.indkey) k JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k)
            FROM pg_index i
            WHERE i.indrelid = $1 AND i.indisunique AND i.indimmediate AND i.indpred IS NULL AND i.indexprs IS NULL
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = table, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Oid });
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            if (reader.GetFieldValue<string[]>(0).ToHashSet(StringComparer.Ordinal).SetEquals(key))
            {
                return true;
            }
        }
        return false;
    }

    private static string KindName(char kind) => kind switch
    {
        'v' => "a view",
        'm' => "a materialized view",
        'f' => "a foreign table",
        'S' => "a sequence",
        'i' or 'I' => "an index",
        _ => $"a relation of kind '{kind}'",
    };

    private static string SqlName(string typeName) => typeName switch
    {
        "int8" => "bigint",
        "int4" => "integer",
        "int2" => "smallint",
        "float8" => "double precision",
        "float4" => "real",
        "bool" => "boolean",
        "bpchar" => "char(n)",
        "varchar" => "varchar(n)",
        "timestamptz" => "timestamptz",
        _ => typeName,
    };

    private static void Execute(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
