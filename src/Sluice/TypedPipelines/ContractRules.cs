using System.Linq.Expressions;
using System.Reflection;
using System.Text.RegularExpressions;
using Sluice.Contracts;
using Sluice.Pipelines;
using Sluice.TypedPipelines;

namespace Sluice;

/// <summary>
/// Rules added to the contract a typed pipeline derives from <typeparamref name="T"/> (types from the properties'
/// types, <c>required</c> from their nullability): a record that breaks one is dead-lettered with reason
/// <c>contract</c> and the rule's name, as in a pipeline file.
/// </summary>
public sealed class ContractRules<T>
{
    private readonly Dictionary<string, FieldContract> _fields;
    private readonly List<Diagnostic> _problems;

    internal ContractRules(IEnumerable<FieldContract> fields, List<Diagnostic> problems)
    {
        _fields = fields.ToDictionary(f => f.Name, StringComparer.Ordinal);
        _problems = problems;
    }

    /// <summary>Adds rules to the field of <paramref name="property"/>; a rule left null is unchanged.</summary>
    /// <param name="min">Smallest allowed value, inclusive (rule <c>min</c>).</param>
    /// <param name="max">Largest allowed value, inclusive (rule <c>max</c>).</param>
    /// <param name="pattern">A regular expression a string must match, in linear time (rule <c>pattern</c>).</param>
    /// <param name="required">Overrides what the property's nullability says (rule <c>required</c>).</param>
    /// <param name="oneOf">The allowed values, as text (rule <c>enum</c>).</param>
    /// <param name="maxLength">Longest allowed string, in code points (rule <c>max_length</c>).</param>
    /// <param name="format">A .NET custom date/time format the source's text is parsed with.</param>
    public ContractRules<T> Field<TValue>(Expression<Func<T, TValue>> property, FieldBound? min = null, FieldBound? max = null,
        string? pattern = null, bool? required = null, IReadOnlyList<string>? oneOf = null, int? maxLength = null, string? format = null)
    {
        if (property.Body is not MemberExpression { Member: PropertyInfo info } || Column(info) is not { } name)
        {
            _problems.Add(new(null, $"Validate: {property} does not name a mapped property of {typeof(T).Name}; write c.Field(r => r.Property, ...)"));
            return this;
        }
        var field = _fields[name];
        Regex? regex = field.Pattern;
        if (pattern is not null)
        {
            regex = LinearPattern.TryCreate(pattern, RegexOptions.None, out string? problem);
            if (problem is not null)
            {
                _problems.Add(new(null, $"Validate: the pattern of {typeof(T).Name}.{info.Name}: {problem}"));
            }
        }
        _fields[name] = field with
        {
            Min = min ?? field.Min,
            Max = max ?? field.Max,
            Pattern = regex,
            Required = required ?? field.Required,
            Enum = oneOf ?? field.Enum,
            MaxLength = maxLength ?? field.MaxLength,
            Format = format ?? field.Format,
        };
        return this;
    }

    internal IReadOnlyList<FieldContract> Fields => [.. _fields.Values];

    private static string? Column(PropertyInfo property) =>
        RecordShape.Of<T>().Members.FirstOrDefault(m => m.Property.Name == property.Name)?.Column;
}
