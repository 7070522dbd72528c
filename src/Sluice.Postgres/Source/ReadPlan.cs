using System.Data;
using System.Text;
using Npgsql;
using NpgsqlTypes;
using Sluice.Extensibility;

namespace Sluice.Postgres.Source;

/// <summary>
/// What the source reads and how: the columns it emits, the key it pages by (the cursor, or a snapshot's primary
/// key) and the query of one page,
/// <code>
/// SELECT cols, key::text… FROM (table or query) AS sluice_source
/// WHERE (k1, k2) &gt; ($1::t1, $2::t2) [AND k1 &lt; now() - settle] ORDER BY k1, k2 LIMIT n
/// </code>
/// Keyset pagination: each page starts strictly after the last key read, so no OFFSET, no server-side cursor held
/// open between pages, and memory bounded by one page whatever the table's size; with an index on the key columns
/// each page is an index range scan.
/// </summary>
internal sealed class ReadPlan
{
    public ReadPlan(string input, string fromSql, IReadOnlyList<SourceColumn> columns, IReadOnlyList<SourceColumn> key,
        bool keyMayBeNull, bool incremental, TimeSpan? settle, bool holdBack)
    {
        HoldBack = holdBack;
        Input = input;
        FromSql = fromSql;
        Columns = columns;
        Key = key;
        KeyMayBeNull = keyMayBeNull;
        Incremental = incremental;
        Settle = settle;
    }

    /// <summary>The records' input in their origins: the table (<c>schema.table</c>) or <c>query:{stage}</c>.</summary>
    public string Input { get; }

    public string FromSql { get; }

    /// <summary>The table or view read, <c>schema.table</c> unquoted; null for a query.</summary>
    public string? Table { get; init; }

    /// <summary>The columns emitted, in order; the page query selects them first.</summary>
    public IReadOnlyList<SourceColumn> Columns { get; }

    /// <summary>The columns the rows are read in order of; their text follows the emitted columns in each row.</summary>
    public IReadOnlyList<SourceColumn> Key { get; }

    public IReadOnlyList<string> KeyNames => Key.Select(k => k.Name).ToList();

    /// <summary>When the key columns may hold nulls (a query, a view): rows with a null key are left out, since no
    /// position could be after them.</summary>
    public bool KeyMayBeNull { get; }

    /// <summary>Read by a cursor: each run goes on from the last committed position.</summary>
    public bool Incremental { get; }

    public TimeSpan? Settle { get; }

    /// <summary>Whether rows whose first cursor column has the newest value of the input wait for a newer one: more rows
    /// may still be committed with that value (ties are what the key columns are for), and once the position is past
    /// some of them a later one with a smaller key would be skipped. Under the rule that the cursor grows in commit
    /// order, a value below the newest one can get no more rows, so reading only below it (<see cref="BoundCommand"/>)
    /// never skips a tie. Not needed with <see cref="Settle"/> (the clock bounds what is read instead), nor when the
    /// first cursor column alone is unique (it has no ties).</summary>
    public bool HoldBack { get; }

    /// <summary>The newest value of the first cursor column, as text: a pass reads only rows below it (<see cref="HoldBack"/>).</summary>
    public NpgsqlCommand BoundCommand(NpgsqlConnection connection) =>
        new($"SELECT max({Key[0].Sql})::pg_catalog.text FROM {FromSql} AS sluice_source", connection);

    /// <summary>The query of the page after <paramref name="after"/> (the first page when null).</summary>
    /// <param name="below">With <see cref="HoldBack"/>: the pass's bound, the first cursor column's newest value.</param>
    public NpgsqlCommand PageCommand(NpgsqlConnection connection, KeyPosition? after, int limit, string? below = null)
    {
        var sql = new StringBuilder("SELECT ");
        sql.AppendJoin(", ", Columns.Select(c => c.SelectSql).Concat(Key.Select(k => k.CursorTextSql)));
        sql.Append(" FROM ").Append(FromSql).Append(" AS sluice_source");
        var conditions = new List<string>();
        var command = new NpgsqlCommand { Connection = connection };
        if (after is not null)
        {
            var parameters = Key.Select((k, i) => $"${i + 1}::{k.CastName}").ToList();
            conditions.Add(Key.Count == 1
                ? $"{Key[0].Sql} > {parameters[0]}"
                : $"({string.Join(", ", Key.Select(k => k.Sql))}) > ({string.Join(", ", parameters)})");
            foreach (string value in after.After)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = value, NpgsqlDbType = NpgsqlDbType.Text });
            }
        }
        if (KeyMayBeNull)
        {
            conditions.AddRange(Key.Select(k => $"{k.Sql} IS NOT NULL"));
        }
        if (below is not null)
        {
            conditions.Add($"{Key[0].Sql} < ${command.Parameters.Count + 1}::{Key[0].CastName}");
            command.Parameters.Add(new NpgsqlParameter { Value = below, NpgsqlDbType = NpgsqlDbType.Text });
        }
        if (Settle is { } settle)
        {
            string now = Key[0].BaseType == "timestamptz" ? "now()" : "localtimestamp";
            conditions.Add($"{Key[0].Sql} < {now} - ${command.Parameters.Count + 1}::pg_catalog.interval");
            command.Parameters.Add(new NpgsqlParameter { Value = settle, NpgsqlDbType = NpgsqlDbType.Interval });
        }
        if (conditions.Count > 0)
        {
            sql.Append(" WHERE ").AppendJoin(" AND ", conditions);
        }
        sql.Append(" ORDER BY ").AppendJoin(", ", Key.Select(k => k.Sql));
        sql.Append(" LIMIT ").Append(limit);
        command.CommandText = sql.ToString();
        return command;
    }

    /// <summary>Describes what <paramref name="options"/> read, checks it, and returns the plan; null with the problems
    /// added when it cannot be read as asked. Throws the driver's exceptions for a server that cannot be reached.</summary>
    public static ReadPlan? Describe(NpgsqlConnection connection, PostgresSourceOptions options, TableName? table, string stage,
        SourceReadHint? hint, Action<SourceOptionsPart, string> problem)
    {
        string input, fromSql;
        Relation? relation = null;
        if (table is not null)
        {
            relation = Relation.Find(connection, table);
            if (relation is null)
            {
                problem(SourceOptionsPart.Table, $"table {table} does not exist in database '{connection.Database}' (unquoted names are folded to lower case: write '\"Orders\"' for a name with capitals)");
                return null;
            }
            if (relation.Kind is not ('r' or 'p' or 'v' or 'm' or 'f'))
            {
                problem(SourceOptionsPart.Table, $"{relation.Display} is {KindName(relation.Kind)}: the postgres source reads a table, a view or a materialized view");
                return null;
            }
            if (!relation.MaySelect)
            {
                problem(SourceOptionsPart.Table, $"user '{connection.UserName}' may not SELECT from {relation.Display}: GRANT SELECT ON {relation.Display} TO {TableName.Quote(connection.UserName ?? "")}");
                return null;
            }
            input = relation.Display.ToString();
            fromSql = relation.Display.Sql;
        }
        else
        {
            input = stage.Length == 0 ? "query" : $"query:{stage}";
            fromSql = $"({options.Query!.Trim().TrimEnd(';').TrimEnd()})";
        }

        List<SourceColumn> all;
        try
        {
            all = ResultColumns(connection, fromSql);
        }
        catch (PostgresException e) when (!ConnectionText.IsTransient(e) && e.SqlState is not (PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification or PostgresErrorCodes.InvalidCatalogName))
        {
            problem(table is null ? SourceOptionsPart.Query : SourceOptionsPart.Table,
                $"{(table is null ? "the query" : $"reading {input}")} fails: {e.MessageText.ReplaceLineEndings(" ")} [SQLSTATE {e.SqlState}]");
            return null;
        }
        int found = 0;
        void Problem(SourceOptionsPart part, string message)
        {
            found++;
            problem(part, message);
        }
        string what = table is null ? "the query returns" : $"{input} has";
        foreach (string twice in all.GroupBy(c => c.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key))
        {
            Problem(table is null ? SourceOptionsPart.Query : SourceOptionsPart.Table,
                $"{what} two columns named {TableName.Quote(twice)}; give them distinct names (AS)");
        }
        string list = string.Join(", ", all.Select(c => c.Name));

        // The columns emitted.
        List<SourceColumn> columns;
        if (options.Columns is { } named)
        {
            columns = [];
            foreach (string name in named)
            {
                if (Match(all, name) is { } column)
                {
                    columns.Add(column);
                }
                else
                {
                    Problem(SourceOptionsPart.Columns, $"{what} no column {TableName.Quote(name)} (its columns: {list})");
                }
            }
        }
        else if (hint is not null && hint.UnknownFields != UnknownFields.Keep)
        {
            // Read what the contract names; columns it does not name would only be dropped or make every row a letter.
            var wanted = hint.Columns.Select(n => Match(all, n)).OfType<SourceColumn>().ToHashSet();
            columns = all.Where(wanted.Contains).ToList();
        }
        else
        {
            columns = all;
        }

        // The key: the cursor, or a table's primary key for a snapshot.
        bool incremental = options.Cursor.Count > 0;
        List<SourceColumn> key = [];
        bool checkedTable = relation?.Kind is 'r' or 'p';
        if (incremental)
        {
            foreach (string name in options.Cursor)
            {
                if (Match(all, name) is not { } column)
                {
                    Problem(SourceOptionsPart.Cursor, $"cursor column {TableName.Quote(name)} is not a column {(table is null ? "the query returns" : $"of {input}")} (its columns: {list})");
                    continue;
                }
                if (!SourceColumn.CursorTypes.Contains(column.BaseType))
                {
                    Problem(SourceOptionsPart.Cursor, $"cursor column {TableName.Quote(column.Name)} is {column.TypeName}, which cannot be a cursor (not ordered, or not exact as text); use columns of an integer, numeric, date, timestamp, text or uuid type");
                    continue;
                }
                key.Add(column);
            }
            if (checkedTable && key.Count == options.Cursor.Count)
            {
                var nullable = relation!.NullableColumns(connection);
                foreach (var column in key.Where(k => nullable.Contains(k.Name)))
                {
                    Problem(SourceOptionsPart.Cursor, $"cursor column {TableName.Quote(column.Name)} of {input} may be null, and a row whose cursor is null would never be read: make it NOT NULL (ALTER TABLE {input} ALTER COLUMN {TableName.Quote(column.Name)} SET NOT NULL), or read a query that coalesces it");
                }
                var unique = relation.UniqueKeys(connection);
                var cursorNames = key.Select(k => k.Name).ToHashSet(StringComparer.Ordinal);
                if (!unique.Any(u => u.All(cursorNames.Contains)))
                {
                    string suggestion = unique.FirstOrDefault() is { } pk
                        ? $"[{string.Join(", ", options.Cursor.Concat(pk.Where(p => !cursorNames.Contains(p))))}]"
                        : "[updated_at, id] with a unique index on id";
                    Problem(SourceOptionsPart.Cursor, $"cursor [{string.Join(", ", options.Cursor)}] does not identify a row of {input} (no unique index has only these columns), so rows with equal values could be skipped between two pages: add the table's key, e.g. cursor: {suggestion}");
                }
            }
        }
        else if (checkedTable)
        {
            var nullable = relation!.NullableColumns(connection);
            var primary = relation.UniqueKeys(connection).FirstOrDefault(u => u.All(c => !nullable.Contains(c)));
            if (primary is null)
            {
                Problem(SourceOptionsPart.Table, $"{input} has no primary key (nor a unique index on NOT NULL columns) to read it in pages by; add one, or give cursor: the columns that identify a row");
            }
            else
            {
                key = primary.Select(p => all.First(c => c.Name == p)).ToList();
                foreach (var column in key.Where(k => !SourceColumn.CursorTypes.Contains(k.BaseType)))
                {
                    Problem(SourceOptionsPart.Table, $"the primary key column {TableName.Quote(column.Name)} of {input} is {column.TypeName}, which the source cannot page by; give cursor: columns of an integer, numeric, date, timestamp, text or uuid type that identify a row");
                }
            }
        }
        else
        {
            Problem(table is null ? SourceOptionsPart.Query : SourceOptionsPart.Table,
                $"{(table is null ? "a query" : $"{input}, {KindName(relation!.Kind)},")} is read in pages by a cursor: give cursor: the columns that identify a row, e.g. cursor: [id] (a snapshot without a cursor is read by the primary key of a table)");
        }

        if (options.Settle is not null)
        {
            if (!incremental)
            {
                Problem(SourceOptionsPart.Settle, "settle applies to a cursor: give cursor: [updated_at, id], or remove settle");
            }
            else if (key.Count > 0 && key[0].BaseType is not ("timestamptz" or "timestamp"))
            {
                Problem(SourceOptionsPart.Settle, $"settle compares the cursor's first column with the clock, but {TableName.Quote(key[0].Name)} is {key[0].TypeName}: make the first cursor column a timestamp, or remove settle");
            }
        }
        if (found > 0)
        {
            return null;
        }
        bool firstIsUnique = checkedTable && incremental && relation!.UniqueKeys(connection).Any(u => u is [var only] && only == key[0].Name);
        return new ReadPlan(input, fromSql, columns, key, keyMayBeNull: !checkedTable, incremental, options.Settle,
            holdBack: incremental && options.Settle is null && !firstIsUnique)
        {
            Table = relation is null ? null : $"{relation.Display.Schema}.{relation.Display.Name}",
        };
    }

    /// <summary>The columns of <paramref name="fromSql"/>'s result, described by the server without running it.</summary>
    private static List<SourceColumn> ResultColumns(NpgsqlConnection connection, string fromSql)
    {
        var described = new List<(string Name, uint Oid, int? Precision, int? Scale)>();
        using (var command = new NpgsqlCommand($"SELECT * FROM {fromSql} AS sluice_source LIMIT 0", connection))
        using (var reader = command.ExecuteReader(CommandBehavior.SchemaOnly))
        {
            foreach (var column in reader.GetColumnSchema())
            {
                described.Add((column.ColumnName, column.TypeOID, column.NumericPrecision, column.NumericScale));
            }
        }
        var types = new Dictionary<uint, (string Namespace, string Name, char Kind, string Base, string Display)>();
        using (var command = new NpgsqlCommand("""
            SELECT t.oid, n.nspname, t.typname, t.typtype, b.typname, format_type(t.oid, NULL)
            FROM pg_type t
            JOIN pg_namespace n ON n.oid = t.typnamespace
            JOIN pg_type b ON b.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
            WHERE t.oid = ANY($1)
            """, connection))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = described.Select(d => d.Oid).Distinct().ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Oid });
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                types[reader.GetFieldValue<uint>(0)] = (reader.GetString(1), reader.GetString(2), reader.GetChar(3), reader.GetString(4), reader.GetString(5));
            }
        }
        return described.Select(d =>
        {
            var type = types[d.Oid];
            bool domain = type.Kind == 'd';
            // A domain over numeric keeps its own typmod, which the result does not carry: read it as text, exactly.
            var (kind, scale) = SourceColumn.KindOf(type.Base, domain ? null : d.Precision, domain ? null : d.Scale);
            string cast = $"{TableName.Quote(type.Namespace)}.{TableName.Quote(type.Name)}";
            return new SourceColumn(d.Name, type.Display, type.Base, cast, domain, kind, scale);
        }).ToList();
    }

    /// <summary>The column named <paramref name="name"/>: the same name, else the one that differs only in case.</summary>
    private static SourceColumn? Match(List<SourceColumn> columns, string name) =>
        columns.FirstOrDefault(c => c.Name == name)
        ?? (columns.Where(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase)).ToList() is [var only] ? only : null);

    private static string KindName(char kind) => kind switch
    {
        'v' => "a view",
        'm' => "a materialized view",
        'f' => "a foreign table",
        'S' => "a sequence",
        'i' or 'I' => "an index",
        'c' => "a composite type",
        _ => $"a relation of kind '{kind}'",
    };

    /// <summary>A table or view the options name, as the catalog has it.</summary>
    private sealed record Relation(uint Oid, TableName Display, char Kind, bool MaySelect)
    {
        public static Relation? Find(NpgsqlConnection connection, TableName name)
        {
            using var command = new NpgsqlCommand("""
                SELECT c.oid, n.nspname, c.relname, c.relkind, has_table_privilege(c.oid, 'SELECT')
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.oid = to_regclass($1)
                """, connection);
            command.Parameters.Add(new NpgsqlParameter { Value = name.Sql });
            using var reader = command.ExecuteReader();
            return reader.Read()
                ? new Relation(reader.GetFieldValue<uint>(0), new TableName(reader.GetString(1), reader.GetString(2)), reader.GetChar(3), reader.GetBoolean(4))
                : null;
        }

        public HashSet<string> NullableColumns(NpgsqlConnection connection)
        {
            using var command = new NpgsqlCommand("SELECT attname FROM pg_attribute WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped AND NOT attnotnull", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = Oid, NpgsqlDbType = NpgsqlDbType.Oid });
            using var reader = command.ExecuteReader();
            var names = new HashSet<string>(StringComparer.Ordinal);
            while (reader.Read())
            {
                names.Add(reader.GetString(0));
            }
            return names;
        }

        /// <summary>The column lists of the table's unique indexes (whole-table, on plain columns), the primary key first.</summary>
        public List<string[]> UniqueKeys(NpgsqlConnection connection)
        {
            using var command = new NpgsqlCommand("""
                SELECT array(SELECT a.attname::text FROM unnest(i.indkey) WITH ORDINALITY k(attnum, n)
                             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.n)
                FROM pg_index i
                WHERE i.indrelid = $1 AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL
                ORDER BY i.indisprimary DESC, i.indexrelid
                """, connection);
            command.Parameters.Add(new NpgsqlParameter { Value = Oid, NpgsqlDbType = NpgsqlDbType.Oid });
            using var reader = command.ExecuteReader();
            var keys = new List<string[]>();
            while (reader.Read())
            {
                keys.Add(reader.GetFieldValue<string[]>(0));
            }
            return keys;
        }
    }
}

/// <summary>Which option a problem is reported at.</summary>
internal enum SourceOptionsPart { Connection, Table, Query, Columns, Cursor, Settle }
