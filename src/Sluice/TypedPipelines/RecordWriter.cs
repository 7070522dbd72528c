using System.Linq.Expressions;
using Apache.Arrow;
using Sluice.Records;

namespace Sluice.TypedPipelines;

/// <summary>
/// Writes records of <typeparamref name="T"/> into Arrow columns (see <see cref="RecordShape"/>), with a function
/// compiled once that reads each property and appends it to its column's writer: no reflection and no boxing per
/// record.
/// </summary>
/// <remarks>One instance per transform or source instance: it holds the columns being built.</remarks>
internal sealed class RecordWriter<T>
{
    private static readonly Lazy<Action<T, ColumnWriter[]>> Write = new(Compile);
    private readonly RecordShape _shape = RecordShape.Of<T>();
    private ColumnWriter[] _writers = [];
    private int _capacity;
    private int _count;
    private bool _dirty; // values appended and not built: a batch that failed half way

    public Schema Schema => _shape.Schema;

    /// <summary>Makes room for a batch of up to <paramref name="rows"/> records (call before the first append).</summary>
    public void Start(int rows)
    {
        if (rows > _capacity || _dirty)
        {
            _capacity = Math.Max(rows, 1);
            _writers = _shape.Members.Select(m => Create(m, _capacity)).ToArray();
        }
        _count = 0;
        _dirty = false;
    }

    public void Append(T record)
    {
        _dirty = true;
        Write.Value(record, _writers);
        _count++;
    }

    /// <summary>The records appended since <see cref="Start"/>, as a record batch.</summary>
    public RecordBatch Build()
    {
        _dirty = false;
        return new(_shape.Schema, _writers.Select(w => w.Build()), _count);
    }

    private static ColumnWriter Create(RecordMember member, int capacity) => member.FieldType switch
    {
        FieldType.Int64 => new Int64Writer(capacity),
        FieldType.Float64 => new Float64Writer(capacity),
        FieldType.Decimal => new DecimalWriter(member.DecimalScale),
        FieldType.Bool => new BoolWriter(capacity),
        FieldType.String => new StringWriter(capacity),
        FieldType.Date => new DateWriter(capacity),
        FieldType.Timestamp => new TimestampWriter(capacity),
        _ => throw new ArgumentOutOfRangeException(nameof(member)),
    };

    private static Action<T, ColumnWriter[]> Compile()
    {
        var shape = RecordShape.Of<T>();
        var record = Expression.Parameter(typeof(T), "record");
        var writers = Expression.Parameter(typeof(ColumnWriter[]), "writers");
        var appends = shape.Members.Select((member, i) =>
        {
            var writerType = Create(member, 1).GetType();
            var writer = Expression.Convert(Expression.ArrayIndex(writers, Expression.Constant(i)), writerType);
            Expression value = Expression.Property(record, member.Property);
            var valueType = member.Nullable && member.ClrType.IsValueType ? typeof(Nullable<>).MakeGenericType(member.ClrType) : member.ClrType;
            if (member.ClrType == typeof(int))
            {
                valueType = member.Nullable ? typeof(long?) : typeof(long);
                value = Expression.Convert(value, valueType);
            }
            string method = (member.Nullable ? "AppendNullable" : "Append") + (member.ClrType == typeof(DateTimeOffset) ? "Offset" : "");
            return (Expression)Expression.Call(writer, writerType.GetMethod(method, [valueType])!, value);
        });
        return Expression.Lambda<Action<T, ColumnWriter[]>>(Expression.Block(appends), record, writers).Compile();
    }
}
