using Apache.Arrow;
using Apache.Arrow.Types;

namespace Sluice.Expectations;

/// <summary>
/// What the expectations need to know about the batches one sink received: per column an expectation names, its
/// nulls, its distinct values (only for a <c>distinct_count</c>) and its newest value (only for a <c>freshness</c>).
/// Observed once per batch from the Arrow columns (null counts from the validity bitmap, no per-record objects), and
/// saved with every checkpoint as the sink's operator state, so a resumed run counts the whole run.
/// </summary>
internal sealed class ColumnStatistics
{
    private const byte FormatVersion = 1;

    private readonly Tracked[] _columns;

    public ColumnStatistics(Schema schema, IReadOnlyList<Expectation> expectations)
    {
        _columns = expectations.Where(e => e.Column is not null).GroupBy(e => e.Column!)
            .Select(g => new Tracked(
                g.Key,
                schema.GetFieldIndex(g.Key),
                schema.GetFieldByName(g.Key).DataType,
                g.Any(e => e is DistinctCountExpectation) ? new DistinctValues() : null,
                g.Any(e => e is FreshnessExpectation)))
            .ToArray();
    }

    /// <summary>Records that reached the sink.</summary>
    public long Rows { get; private set; }

    public void Observe(RecordBatch batch)
    {
        Rows += batch.Length;
        foreach (var column in _columns)
        {
            var array = batch.Column(column.Index);
            column.Nulls += array.NullCount;
            column.Distinct?.AddAll(array);
            if (column.TrackNewest)
            {
                column.ObserveNewest(array);
            }
        }
    }

    /// <summary>Nulls in <paramref name="column"/> so far.</summary>
    public long Nulls(string column) => Find(column).Nulls;

    public DistinctValues Distinct(string column) => Find(column).Distinct!;

    /// <summary>The newest value of a date or timestamp column, null while it has had none.</summary>
    public DateTimeOffset? Newest(string column) => Find(column).Newest();

    public byte[] Save()
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8))
        {
            writer.Write(FormatVersion);
            writer.Write(Rows);
            writer.Write(_columns.Length);
            foreach (var column in _columns)
            {
                writer.Write(column.Name);
                writer.Write(column.Nulls);
                writer.Write(column.HasNewest);
                writer.Write(column.NewestRaw);
                writer.Write(column.Distinct?.Count ?? 0);
                foreach (var value in column.Distinct?.Values ?? [])
                {
                    writer.Write7BitEncodedInt(value.Length);
                    writer.Write(value);
                }
            }
        }
        return buffer.ToArray();
    }

    /// <summary>Replaces the statistics with saved ones (called before any batch). Columns saved that are not
    /// tracked now, or tracked now and not saved, are a changed pipeline: refused, as resuming would miscount.</summary>
    public void Restore(byte[] state)
    {
        using var reader = new BinaryReader(new MemoryStream(state), System.Text.Encoding.UTF8);
        if (reader.ReadByte() != FormatVersion)
        {
            throw new InvalidDataException("the checkpoint's column statistics have an unknown format");
        }
        Rows = reader.ReadInt64();
        var saved = new HashSet<string>();
        for (int count = reader.ReadInt32(); count > 0; count--)
        {
            string name = reader.ReadString();
            saved.Add(name);
            var column = _columns.FirstOrDefault(c => c.Name == name)
                ?? throw new InvalidDataException($"the checkpoint has statistics of column '{name}', which no expectation names now; run with --fresh");
            column.Nulls = reader.ReadInt64();
            column.HasNewest = reader.ReadBoolean();
            column.NewestRaw = reader.ReadInt64();
            for (long values = reader.ReadInt64(); values > 0; values--)
            {
                var value = reader.ReadBytes(reader.Read7BitEncodedInt());
                column.Distinct?.Add(value);
            }
        }
        if (_columns.FirstOrDefault(c => !saved.Contains(c.Name)) is { } missing)
        {
            throw new InvalidDataException($"the checkpoint has no statistics of column '{missing.Name}', which an expectation names now; run with --fresh");
        }
    }

    private Tracked Find(string column) => _columns.First(c => c.Name == column);

    private sealed class Tracked(string name, int index, IArrowType type, DistinctValues? distinct, bool trackNewest)
    {
        public string Name { get; } = name;
        public int Index { get; } = index;
        public DistinctValues? Distinct { get; } = distinct;
        public bool TrackNewest { get; } = trackNewest;
        public long Nulls { get; set; }
        public bool HasNewest { get; set; }

        /// <summary>Days for a date, the timestamp's own unit for a timestamp.</summary>
        public long NewestRaw { get; set; }

        public void ObserveNewest(IArrowArray array)
        {
            bool nulls = array.NullCount > 0;
            long newest = NewestRaw;
            bool any = HasNewest;
            void Take(long value, int i)
            {
                if (!nulls || array.IsValid(i))
                {
                    newest = any ? Math.Max(newest, value) : value;
                    any = true;
                }
            }
            if (array is Date32Array dates)
            {
                var values = dates.Values;
                for (int i = 0; i < values.Length; i++)
                {
                    Take(values[i], i);
                }
            }
            else
            {
                var values = ((TimestampArray)array).Values;
                for (int i = 0; i < values.Length; i++)
                {
                    Take(values[i], i);
                }
            }
            (NewestRaw, HasNewest) = (newest, any);
        }

        public DateTimeOffset? Newest()
        {
            if (!HasNewest)
            {
                return null;
            }
            if (type is Date32Type)
            {
                return DateTimeOffset.UnixEpoch.AddDays(NewestRaw);
            }
            long ticksPer = ((TimestampType)type).Unit switch
            {
                TimeUnit.Second => TimeSpan.TicksPerSecond,
                TimeUnit.Millisecond => TimeSpan.TicksPerMillisecond,
                TimeUnit.Microsecond => TimeSpan.TicksPerMicrosecond,
                _ => 0,
            };
            return ticksPer == 0
                ? DateTimeOffset.UnixEpoch.AddTicks(NewestRaw / 100)
                : DateTimeOffset.UnixEpoch.AddTicks(NewestRaw * ticksPer);
        }
    }
}
