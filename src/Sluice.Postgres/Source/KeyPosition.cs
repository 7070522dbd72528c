using System.Text.Json;
using Sluice.Extensibility;

namespace Sluice.Postgres.Source;

/// <summary>
/// The source's position: the key of the last row read — the cursor's values, or a snapshot's primary key — as
/// <c>{"columns":["updated_at","id"],"after":["2026-05-01 10:00:00.123456+00","42"]}</c>. Each value is PostgreSQL's
/// own text for it (DateStyle ISO), which the next query casts back to the column's type, so timestamps keep their
/// microseconds, numerics their digits and text its bytes: <c>WHERE (updated_at, id) &gt; ($1::timestamptz, $2::int8)</c>.
/// </summary>
internal sealed record KeyPosition(IReadOnlyList<string> Columns, IReadOnlyList<string> After)
{
    public SourcePosition ToSource() =>
        new(JsonSerializer.Serialize(new Stored { Columns = [.. Columns], After = [.. After] }, StoredJson.Default.Stored));

    /// <summary>The position a checkpoint stored; null for none. Throws <see cref="PostgresSourceException"/> when it is
    /// not one of this source's or names other key columns than <paramref name="columns"/>.</summary>
    public static KeyPosition? From(SourcePosition? position, IReadOnlyList<string> columns, string stage, bool continues)
    {
        if (position is null)
        {
            return null;
        }
        Stored? stored;
        try
        {
            stored = JsonSerializer.Deserialize(position.Value, StoredJson.Default.Stored);
        }
        catch (JsonException)
        {
            stored = null;
        }
        if (stored?.Columns is not { } named || stored.After is not { } after || named.Length != after.Length || named.Length == 0)
        {
            throw new PostgresSourceException($"postgres source '{stage}': the stored position {position.Value} is not a postgres source's; was the stage another kind of source before?");
        }
        if (!named.SequenceEqual(columns, StringComparer.Ordinal))
        {
            throw new PostgresSourceException(
                $"postgres source '{stage}': the {(continues ? "pipeline's last committed" : "checkpoint's")} position is after [{string.Join(", ", named)}] = ({string.Join(", ", after)}), but the source now reads in order of [{string.Join(", ", columns)}], which that position says nothing about; " +
                (continues ? "to read the input from its start with the new cursor, give the pipeline another name (name:)" : "run with --fresh to read it again from its start"));
        }
        return new KeyPosition(named, after);
    }

    /// <summary>How a row's key reads in a dead letter's origin (<c>sluice dlq list</c>): the value, or
    /// <c>(v1, v2)</c>.</summary>
    public static string Describe(IReadOnlyList<string> values) => values.Count == 1 ? values[0] : $"({string.Join(", ", values)})";

    internal sealed class Stored
    {
        public string[]? Columns { get; set; }
        public string[]? After { get; set; }
    }
}

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower)]
[System.Text.Json.Serialization.JsonSerializable(typeof(KeyPosition.Stored))]
internal sealed partial class StoredJson : System.Text.Json.Serialization.JsonSerializerContext;

/// <summary>The postgres source could not read: the message says what, where and why in one line, without the
/// password.</summary>
internal sealed class PostgresSourceException(string message, Exception? inner = null) : Exception(message, inner);
