using System.Text;
using Sluice.Contracts;
using Sluice.Records;

namespace Sluice.Cli.Scaffolding;

/// <summary>
/// The narrowest contract type that reads every sampled text value of one column (CSV, JSON Lines), tested with the
/// contract's own parsers so that the scaffolded contract accepts what was sampled. In order: int64, float64, bool,
/// date, timestamp (ISO 8601, else the first of <see cref="DateFormats"/> / <see cref="TimestampFormats"/> that reads
/// them all), string.
/// </summary>
internal sealed class TextColumnGuess(string name)
{
    /// <summary>Common non-ISO layouts, month-first before day-first: a day above 12 rules the wrong one out.</summary>
    private static readonly string[] DateFormats = ["yyyy/MM/dd", "MM/dd/yyyy", "dd/MM/yyyy", "dd.MM.yyyy"];

    private static readonly string[] TimestampFormats =
    [
        "yyyy/MM/dd HH:mm", "yyyy/MM/dd HH:mm:ss", "MM/dd/yyyy HH:mm", "MM/dd/yyyy HH:mm:ss",
        "dd/MM/yyyy HH:mm", "dd/MM/yyyy HH:mm:ss", "dd.MM.yyyy HH:mm", "dd.MM.yyyy HH:mm:ss",
    ];

    private bool _int = true, _float = true, _bool = true, _isoDate = true, _isoTimestamp = true;
    private readonly List<string> _dateFormats = [.. DateFormats];
    private readonly List<string> _timestampFormats = [.. TimestampFormats];
    private long _values;
    private long _empty;

    public string Name { get; } = name;

    /// <summary>One record's value; null or blank when the record has none (as the contract reads it: null).</summary>
    public void Add(string? text)
    {
        string trimmed = text?.Trim() ?? "";
        if (trimmed.Length == 0)
        {
            _empty++;
            return;
        }
        _values++;
        byte[] value = Encoding.UTF8.GetBytes(trimmed);
        // A leading zero (a zip code, an id like 007) is kept as text: as a number it would be lost.
        string unsigned = trimmed.TrimStart('-', '+');
        bool leadingZero = unsigned.Length > 1 && unsigned[0] == '0' && char.IsAsciiDigit(unsigned[1]);
        _int &= !leadingZero && TextValues.TryParseInt64(value, out _);
        _float &= !leadingZero && TextValues.TryParseFloat64(value, out _);
        _bool &= TextValues.TryParseBool(value, out _);
        _isoDate &= TextValues.TryParseDate(value, out _);
        _isoTimestamp &= TextValues.TryParseTimestamp(value, out _);
        _dateFormats.RemoveAll(f => !TextValues.TryParseDateExact(value, f, out _));
        _timestampFormats.RemoveAll(f => !TextValues.TryParseTimestampExact(value, f, out _));
    }

    /// <summary>The column, given how many records were sampled (a record without the key counts as empty).</summary>
    public InferredColumn Infer(long records)
    {
        bool required = _values > 0 && _empty == 0 && _values == records;
        (FieldType type, string? format) = _values == 0 ? (FieldType.String, null)
            : _int ? (FieldType.Int64, null)
            : _float ? (FieldType.Float64, (string?)null)
            : _bool ? (FieldType.Bool, null)
            : _isoDate ? (FieldType.Date, null)
            : _dateFormats.Count > 0 ? (FieldType.Date, _dateFormats[0])
            : _isoTimestamp ? (FieldType.Timestamp, null)
            : _timestampFormats.Count > 0 ? (FieldType.Timestamp, _timestampFormats[0])
            : (FieldType.String, null);
        return new InferredColumn(Name, type, format, null, required);
    }
}
