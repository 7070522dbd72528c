using Apache.Arrow;
using Sluice.Configuration;
using Sluice.Contracts;
using Sluice.Execution;
using Sluice.Extensibility;
using Sluice.Pipelines;
using Sluice.Records;

namespace Sluice;

/// <summary>
/// A data contract: the fields a record must have, their types and rules. As a stage it turns the source's
/// columns into typed columns (parsing text, converting other types where nothing is lost) and dead-letters every
/// record that does not meet the contract, with the first failing field's reason, rule and message.
/// </summary>
public sealed record ContractOptions : ITransformOptions, IColumnLineage
{
    StageKind IStageOptions.Kind => StageKind.Contract;

    /// <summary>The fields in output order.</summary>
    public required IReadOnlyList<FieldContract> Fields { get; init; }

    /// <summary>What happens to columns the contract does not name. The default value is <see cref="UnknownFields.Reject"/>.</summary>
    public UnknownFields UnknownFields { get; init; } = UnknownFields.Reject;

    public static ComponentSpec Spec { get; } = new("contract", StageKind.Contract,
        "Types the source's fields and checks every record against them. Text values (CSV, JSONL) are parsed; typed " +
        "values (Parquet) are converted where nothing is lost (int64 to float64 or decimal, an integral float64 to " +
        "int64, a date to a midnight timestamp) and passed through untouched when they already have the type. " +
        "A record that fails is dead-lettered with its original bytes: reason `parse` (rule `type` or `scale`) " +
        "when a value cannot be read as its type, reason `contract` with the rule's name otherwise. Only the " +
        "first failure, in field order, is reported. The output has the contract's fields in the contract's order.",
        Shape.Object(
            new OptionSpec("fields", Shape.MapOf(Shape.Object(
                    new OptionSpec("type", Shape.Enum([.. FieldTypes.Names]),
                        "The field's type. Text is parsed with the invariant culture; leading and trailing spaces are " +
                        "ignored and an empty value is null (except for `string`). `bool` accepts true/false/yes/no/1/0 " +
                        "in any case; `date` is ISO `yyyy-MM-dd`; `timestamp` is ISO 8601 with optional seconds, " +
                        "fraction and `Z` or offset, converted to UTC (no offset means UTC).", Required: true),
                    new OptionSpec("required", Shape.Boolean,
                        "Whether the field must have a value. A null or missing value dead-letters the record (rule `required`).",
                        Default: "false"),
                    new OptionSpec("min", Shape.Scalar,
                        "Smallest allowed value, inclusive, for number, date and timestamp fields; written as the field's " +
                        "type (dates and timestamps in ISO 8601). Rule `min`.", Example: "-120"),
                    new OptionSpec("max", Shape.Scalar,
                        "Largest allowed value, inclusive, for number, date and timestamp fields. Rule `max`.", Example: "3000"),
                    new OptionSpec("pattern", Shape.Regex,
                        "A .NET regular expression a string value must match; anchor it (`^…$`) to match the whole value. Matched in time "
                        + "linear in the value's length (no backtracking): lookarounds, backreferences, atomic groups and conditionals are "
                        + "refused. Rule `pattern`.",
                        Example: "\"^[A-Z]{3}$\""),
                    new OptionSpec("enum", Shape.ListOf(Shape.Scalar),
                        "The allowed values, read as the field's type. Rule `enum`.", Example: "[economy, business, first]"),
                    new OptionSpec("max_length", Shape.Integer,
                        "Largest allowed length of a string value, in Unicode code points. Rule `max_length`.", Example: "64"),
                    new OptionSpec("format", Shape.String,
                        "A .NET custom date/time format that `date` and `timestamp` text is parsed with instead of ISO 8601; " +
                        "a timestamp without an offset in it is UTC.", Example: "\"yyyy/MM/dd HH:mm\""),
                    new OptionSpec("scale", Shape.Integer,
                        "Digits after the decimal point of a `decimal` field, 0..28 (precision is always 28). A value with " +
                        "more non-zero digits after the point is dead-lettered (reason `parse`, rule `scale`).",
                        Default: FieldTypes.DefaultDecimalScale.ToString(System.Globalization.CultureInfo.InvariantCulture)))),
                "The fields of a record by name, in output order.", Required: true,
                Example: "{ delay: { type: int64, min: -120, max: 3000 }, origin: { type: string, pattern: \"^[A-Z]{3}$\", required: true } }"),
            new OptionSpec("unknown_fields", Shape.Enum("reject", "drop", "keep"),
                "What to do with a column the contract does not name: `reject` dead-letters a record with a value in " +
                "it (rule `unknown_fields`; an empty text value counts as none), `drop` removes the column, `keep` " +
                "passes it through unchanged after the contract's fields.", Default: "reject")),
        ContractBinding.Bind);

    /// <summary>Builds the stage; throws <see cref="PipelineException"/> when a required field has no input column or
    /// an input column cannot be read as its field's type.</summary>
    public ITransform CreateTransform(Schema input, BuildContext context) => new ContractStage(this, input);

    /// <summary>A field is its input column of the same name, read as the field's type; a field the input lacks comes
    /// from nowhere.</summary>
    IReadOnlyDictionary<string, IReadOnlyList<ColumnSource>> IColumnLineage.Origins(Schema input, Schema output) => ColumnOrigins.ByName(input, output);
}
