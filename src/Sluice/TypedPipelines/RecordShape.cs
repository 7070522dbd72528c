using System.Collections.Concurrent;
using System.Reflection;
using Apache.Arrow;
using Sluice.Pipelines;
using Sluice.Records;

namespace Sluice.TypedPipelines;

/// <summary>
/// The columns of a record type used in a typed pipeline, found once per type: a positional record (or any class
/// whose widest public constructor takes parameters) maps the constructor's parameters, matched to properties by
/// name; a class with a public parameterless constructor maps its public settable properties. Column names are the
/// property names in snake_case unless <see cref="ColumnAttribute"/> says otherwise.
/// </summary>
internal sealed class RecordShape
{
    private static readonly ConcurrentDictionary<Type, RecordShape> Shapes = new();

    private RecordShape(Type type, IReadOnlyList<RecordMember> members, ConstructorInfo constructor)
    {
        Type = type;
        Members = members;
        Constructor = constructor;
        Schema = new Schema(members.Select(m => FieldTypes.ArrowField(m.Column, m.FieldType, m.DecimalScale)), null);
    }

    public Type Type { get; }

    /// <summary>The mapped properties, in column order.</summary>
    public IReadOnlyList<RecordMember> Members { get; }

    /// <summary>The constructor records are made with; its parameters, if any, are <see cref="Members"/> in order.</summary>
    public ConstructorInfo Constructor { get; }

    /// <summary>The Arrow columns records of this type are written as.</summary>
    public Schema Schema { get; }

    /// <summary>The shape of <typeparamref name="T"/>; throws <see cref="PipelineException"/> naming every property
    /// that cannot be mapped.</summary>
    public static RecordShape Of<T>() => Of(typeof(T));

    public static RecordShape Of(Type type) => Shapes.GetOrAdd(type, Build);

    private static RecordShape Build(Type type)
    {
        var problems = new List<Diagnostic>();
        var nullability = new NullabilityInfoContext(); // not thread-safe, and Build may run on several threads at once
        var constructors = type.GetConstructors();
        var parameterless = constructors.FirstOrDefault(c => c.GetParameters().Length == 0);
        var widest = constructors.OrderByDescending(c => c.GetParameters().Length).FirstOrDefault();
        if (widest is null)
        {
            throw new PipelineException(null, $"{type.Name} has no public constructor; a record type of a typed pipeline needs one");
        }
        var members = new List<RecordMember>();
        if (parameterless is null)
        {
            foreach (var parameter in widest.GetParameters())
            {
                var property = type.GetProperty(parameter.Name!, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
                if (property is null || property.PropertyType != parameter.ParameterType)
                {
                    problems.Add(new(null, $"{type.Name}'s constructor parameter '{parameter.Name}' has no public property of the same name and type; "
                        + "a typed pipeline writes records through their properties"));
                    continue;
                }
                Add(type, property, parameter.GetCustomAttribute<ColumnAttribute>(), nullability.Create(parameter).WriteState, members, problems);
            }
        }
        else
        {
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0))
            {
                Add(type, property, null, nullability.Create(property).WriteState, members, problems);
            }
        }
        if (members.Count == 0 && problems.Count == 0)
        {
            problems.Add(new(null, $"{type.Name} has no property to map to a column; give it public settable properties or a constructor with parameters"));
        }
        foreach (var twice in members.GroupBy(m => m.Column, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            problems.Add(new(null, $"{type.Name}: {string.Join(" and ", twice.Select(m => m.Property.Name))} map to the same column '{twice.Key}'; rename one with [Column(\"...\")]"));
        }
        return problems.Count > 0 ? throw new PipelineException(problems) : new RecordShape(type, members, parameterless ?? widest);
    }

    private static void Add(Type type, PropertyInfo property, ColumnAttribute? fromParameter, NullabilityState state,
        List<RecordMember> members, List<Diagnostic> problems)
    {
        var attribute = fromParameter ?? property.GetCustomAttribute<ColumnAttribute>();
        var underlying = Nullable.GetUnderlyingType(property.PropertyType);
        var clrType = underlying ?? property.PropertyType;
        if (RecordMember.FieldTypeOf(clrType) is not { } fieldType)
        {
            problems.Add(new(null, $"{type.Name}.{property.Name} is a {RecordMember.TypeName(property.PropertyType)}, which no column type holds; "
                + "use long, int, double, decimal, bool, string, DateTime, DateTimeOffset or DateOnly (with ? when it may be missing)"));
            return;
        }
        int scale = attribute?.Scale ?? -1;
        if (scale != -1 && (fieldType != FieldType.Decimal || scale is < 0 or > FieldTypes.DecimalPrecision))
        {
            problems.Add(new(null, $"{type.Name}.{property.Name}: [Column(Scale = {scale})] applies to decimal properties only, from 0 to {FieldTypes.DecimalPrecision}"));
        }
        bool nullable = underlying is not null || (!clrType.IsValueType && state != NullabilityState.NotNull);
        members.Add(new RecordMember(attribute?.Name ?? Configuration.OptionsClass.SnakeCase(property.Name), property, clrType, fieldType, nullable,
            attribute?.Format, scale < 0 ? FieldTypes.DefaultDecimalScale : scale));
    }
}
