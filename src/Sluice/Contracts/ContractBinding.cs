using System.Globalization;
using System.Text.RegularExpressions;
using Sluice.Configuration;
using Sluice.Pipelines;
using Sluice.Records;

namespace Sluice.Contracts;

/// <summary>Turns a checked <c>contract:</c> node into <see cref="ContractOptions"/>, reporting every semantic
/// problem (a bound that is not the field's type, a rule that does not apply to it, a bad regex) at once.</summary>
internal static class ContractBinding
{
    public static IStageOptions Bind(ConfigNode node)
    {
        var problems = new List<Diagnostic>();
        var fields = new List<FieldContract>();
        foreach (var (name, spec) in node["fields"]!.Entries)
        {
            fields.Add(BindField(name, spec, problems));
        }
        if (problems.Count > 0)
        {
            throw new PipelineException(problems.OrderBy(p => p.Location?.Line).ThenBy(p => p.Location?.Column).ToList());
        }
        return new ContractOptions
        {
            Fields = fields,
            UnknownFields = node.GetString("unknown_fields", "reject") switch
            {
                "drop" => UnknownFields.Drop,
                "keep" => UnknownFields.Keep,
                _ => UnknownFields.Reject,
            },
        };
    }

    private static FieldContract BindField(string name, ConfigNode spec, List<Diagnostic> problems)
    {
        FieldTypes.TryParse(spec.GetString("type")!, out FieldType type);
        bool isString = type == FieldType.String;
        bool isTemporal = type is FieldType.Date or FieldType.Timestamp;
        void Problem(string key, string message) => problems.Add(new Diagnostic(spec[key]!.Location, message));

        int? scale = null;
        if (spec["scale"] is { } scaleNode)
        {
            if (type != FieldType.Decimal)
            {
                Problem("scale", $"scale applies only to decimal fields; '{name}' is {type.Name()}: remove it or make the field a decimal");
            }
            else if (!int.TryParse(scaleNode.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int s) || s is < 0 or > FieldTypes.DecimalPrecision)
            {
                Problem("scale", $"scale must be between 0 and {FieldTypes.DecimalPrecision}; write e.g. scale: 2");
            }
            else
            {
                scale = s;
            }
        }
        string? format = spec.GetString("format");
        if (format is not null && !isTemporal)
        {
            Problem("format", $"format applies only to date and timestamp fields; '{name}' is {type.Name()}: remove it");
            format = null;
        }
        else if (format is not null && !TextValues.IsValidFormat(format))
        {
            Problem("format", $"'{format}' is not a .NET custom date/time format; write e.g. format: \"yyyy/MM/dd HH:mm\"");
            format = null;
        }
        Regex? pattern = null;
        if (spec["pattern"] is { } patternNode)
        {
            if (!isString)
            {
                Problem("pattern", $"pattern applies only to string fields; '{name}' is {type.Name()}: remove it or use min/max/enum");
            }
            else
            {
                pattern = LinearPattern.TryCreate(patternNode.Text, RegexOptions.None, out string? problem);
                if (problem is not null)
                {
                    problems.Add(new Diagnostic(patternNode.ContentLocation, problem));
                }
            }
        }
        int? maxLength = null;
        if (spec["max_length"] is { } maxLengthNode)
        {
            if (!isString)
            {
                Problem("max_length", $"max_length applies only to string fields; '{name}' is {type.Name()}: remove it");
            }
            else if (!int.TryParse(maxLengthNode.Text, NumberStyles.None, CultureInfo.InvariantCulture, out int m))
            {
                Problem("max_length", "max_length must be a whole number of characters, 0 or more; write e.g. max_length: 64");
            }
            else
            {
                maxLength = m;
            }
        }
        var field = new FieldContract(name, type)
        {
            Required = spec["required"] is { } r && bool.TryParse(r.Text, out bool required) && required,
            Pattern = pattern,
            MaxLength = maxLength,
            Format = format,
            Scale = scale,
            Enum = spec.GetStrings("enum"),
        };
        field = field with { Min = Bound(field, spec, "min", problems), Max = Bound(field, spec, "max", problems) };
        foreach (ConfigNode entry in spec["enum"]?.Items ?? [])
        {
            if (NativeValues.FromText(field, entry.Text) is null)
            {
                problems.Add(new Diagnostic(entry.Location, $"enum value '{entry.Text}' is not a valid {NativeValues.TypeText(field)}; " +
                    $"write it as {Example(type)}"));
            }
        }
        return field;
    }

    private static FieldBound? Bound(FieldContract field, ConfigNode spec, string key, List<Diagnostic> problems)
    {
        if (spec[key] is not { } node)
        {
            return null;
        }
        if (field.Type is FieldType.String or FieldType.Bool)
        {
            problems.Add(new Diagnostic(node.Location, $"{key} does not apply to {field.Type.Name()} fields; " +
                (field.Type == FieldType.String ? "use max_length, pattern or enum instead" : "use enum instead")));
            return null;
        }
        if (NativeValues.BoundFromText(field.Type, node.Text) is { } bound && NativeValues.FromBound(field, bound, out _) is not null)
        {
            return bound;
        }
        problems.Add(new Diagnostic(node.Location, $"{key} '{node.Text}' is not a valid {NativeValues.TypeText(field)}; write it as {Example(field.Type)}"));
        return null;
    }

    private static string Example(FieldType type) => type switch
    {
        FieldType.Int64 => "a whole number, e.g. 3000",
        FieldType.Float64 => "a number, e.g. 2.5",
        FieldType.Decimal => "a number within the field's scale, e.g. 19.99",
        FieldType.Date => "an ISO date, e.g. 2024-01-31",
        FieldType.Timestamp => "an ISO 8601 timestamp, e.g. 2024-01-31T12:00:00Z",
        FieldType.Bool => "true or false",
        _ => "text",
    };
}
