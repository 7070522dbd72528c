namespace Sluice.Postgres;

/// <summary>How the <c>postgres</c> sink writes records into its table.</summary>
public enum PostgresWriteMode
{
    /// <summary>Insert every record.</summary>
    Append,

    /// <summary>Insert a record, or update the row with its key (<c>INSERT … ON CONFLICT (key) DO UPDATE</c>); of
    /// several records with one key in a checkpoint, the last wins.</summary>
    Upsert,
}
