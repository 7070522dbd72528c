using System.Linq.Expressions;
using Apache.Arrow;
using Apache.Arrow.Types;
using Sluice.Pipelines;
using Sluice.Records;

namespace Sluice.TypedPipelines;

/// <summary>
/// Makes records of <typeparamref name="T"/> from the rows of batches of one schema, with a function compiled once
/// (System.Linq.Expressions) that calls the record's constructor or setters with each column's typed value: no
/// reflection and no boxing per record.
/// </summary>
/// <remarks>One instance per transform instance: its column readers hold the current batch's pinned buffers.</remarks>
internal sealed class RecordReader<T>
{
    private readonly ColumnReader[] _readers;
    private readonly int[] _columns;
    private readonly Func<ColumnReader[], int, T> _read;

    private RecordReader(ColumnReader[] readers, int[] columns, Func<ColumnReader[], int, T> read)
    {
        _readers = readers;
        _columns = columns;
        _read = read;
    }

    /// <summary>Compiles a reader for batches of <paramref name="input"/>; throws <see cref="PipelineException"/>
    /// naming each property whose column is missing or of a type it cannot hold, and the column.</summary>
    public static RecordReader<T> For(Schema input)
    {
        var shape = RecordShape.Of<T>();
        var problems = new List<Diagnostic>();
        var readers = new ColumnReader[shape.Members.Count];
        var columns = new int[shape.Members.Count];
        var readerArray = Expression.Parameter(typeof(ColumnReader[]), "readers");
        var row = Expression.Parameter(typeof(int), "row");
        var values = new Expression[shape.Members.Count];
        for (int i = 0; i < shape.Members.Count; i++)
        {
            var member = shape.Members[i];
            columns[i] = input.GetFieldIndex(member.Column);
            if (columns[i] < 0)
            {
                problems.Add(new(null, $"{member.Describe(typeof(T))} reads column '{member.Column}', which the input does not have; "
                    + $"its columns are: {string.Join(", ", input.FieldsList.Select(f => f.Name))}. Rename the property or give it [Column(\"...\")]"));
                continue;
            }
            var field = input.GetFieldByIndex(columns[i]);
            if (ReaderFor(member, field.DataType) is not { } reader)
            {
                problems.Add(new(null, $"{member.Describe(typeof(T))} cannot hold column '{field.Name}' of type {Describe(field.DataType)}; "
                    + $"a {FieldTypes.FromArrow(field.DataType)?.Name() ?? field.DataType.Name} column is read into "
                    + Holders(FieldTypes.FromArrow(field.DataType))));
                continue;
            }
            readers[i] = reader;
            values[i] = Value(member, Expression.Convert(Expression.ArrayIndex(readerArray, Expression.Constant(i)), reader.GetType()), row);
        }
        if (problems.Count > 0)
        {
            throw new PipelineException(problems);
        }
        var body = shape.Constructor.GetParameters().Length > 0
            ? (Expression)Expression.New(shape.Constructor, values)
            : Expression.MemberInit(Expression.New(shape.Constructor), shape.Members.Select((m, i) => Expression.Bind(m.Property, values[i])));
        var read = Expression.Lambda<Func<ColumnReader[], int, T>>(body, readerArray, row).Compile();
        return new RecordReader<T>(readers, columns, read);
    }

    /// <summary>Points the readers at <paramref name="batch"/>'s columns; <see cref="Release"/> when done with it.</summary>
    public void Bind(RecordBatch batch)
    {
        for (int i = 0; i < _readers.Length; i++)
        {
            _readers[i].Bind(batch.Column(_columns[i]));
        }
    }

    public T Read(int row) => _read(_readers, row);

    public void Release()
    {
        foreach (var reader in _readers)
        {
            reader.Release();
        }
    }

    private static ColumnReader? ReaderFor(RecordMember member, IArrowType type)
    {
        string describe = member.Describe(typeof(T));
        return (member.FieldType, type.TypeId) switch
        {
            (FieldType.Int64, ArrowTypeId.Int64) => new Int64Reader(member.Column, describe),
            (FieldType.Float64, ArrowTypeId.Double) => new Float64Reader(member.Column, describe),
            (FieldType.Decimal, ArrowTypeId.Decimal128) => new DecimalReader(member.Column, describe),
            (FieldType.Bool, ArrowTypeId.Boolean) => new BoolReader(member.Column, describe),
            (FieldType.String, ArrowTypeId.String) => new StringReader(member.Column, describe),
            (FieldType.Date, ArrowTypeId.Date32) => new DateReader(member.Column, describe),
            (FieldType.Timestamp, ArrowTypeId.Timestamp) => new TimestampReader(member.Column, describe),
            _ => null,
        };
    }

    /// <summary>The call that reads the member's value, converted to the property's type (an int is read as a long,
    /// with an overflow check: a value too large for it fails that record).</summary>
    private static Expression Value(RecordMember member, Expression reader, ParameterExpression row)
    {
        bool offset = member.ClrType == typeof(DateTimeOffset);
        string method = (member.Nullable ? "GetNullable" : "Get") + (offset ? "Offset" : "");
        Expression call = Expression.Call(reader, reader.Type.GetMethod(method)!, row);
        return call.Type == member.Property.PropertyType ? call : Expression.ConvertChecked(call, member.Property.PropertyType);
    }

    private static string Describe(IArrowType type) => type is TimestampType ? "timestamp" : type.Name;

    private static string Holders(FieldType? type) => type switch
    {
        FieldType.Int64 => "long or int",
        FieldType.Float64 => "double",
        FieldType.Decimal => "decimal",
        FieldType.Bool => "bool",
        FieldType.String => "string",
        FieldType.Date => "DateOnly",
        FieldType.Timestamp => "DateTime or DateTimeOffset",
        _ => "no property type; convert it with a contract first",
    };
}
